
window.reportErrors = [];
(function () {
  function note(msg) { window.reportErrors.push(String(msg)); if (window.reportPublish) { window.reportPublish(); } }
  window.addEventListener('error', function (e) {
    note(e.message ? 'error: ' + e.message : 'cannot load ' + (e.target && (e.target.src || e.target.href || e.target.tagName)));
  }, true);
  window.addEventListener('unhandledrejection', function (e) { note('rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { note('blocked: ' + e.blockedURI); });
})();
