#!/usr/bin/env python3
"""Generate data/countries.tsv, the country table the entity linker embeds.

Usage:  pip install pycountry && python3 scripts/data/make_countries.py [OUT]
        (OUT defaults to data/countries.tsv next to this script's parent)

Each row is one ISO 3166-1 country or territory (plus Kosovo, XKX):

    alpha3 <TAB> canonical label <TAB> type <TAB> alias|alias|...

* alpha3  -- the ISO 3166-1 alpha-3 code, the entity id (`USA`, `PSE`, `XKX`).
* label   -- the short common English name ("Iran", not "Iran, Islamic
             Republic of").
* type    -- `sovereign` (UN member or observer state), `partial`
             (partially recognised: Taiwan, Kosovo) or `territory`.
* aliases -- every surface form that names the country: the label, ISO
             short / common / official names (comma forms inverted, brackets
             dropped), curated abbreviations and short forms (US, U.S., UK,
             DPRK, the States, ...) and demonyms / adjectives with their
             plurals (American, Americans, Japanese, ...), plus ASCII-folded
             variants of names with diacritics.

pycountry supplies the codes and ISO names; labels, abbreviations and
demonyms come from the curated tables below. The script checks that no
alias (compared the way the Rust linker compares them: diacritics folded,
case folded, punctuation reduced to token boundaries) names two countries,
and that every curated code exists. The Rust side needs no Python: it reads
the generated TSV with include_str!.
"""

import re
import sys
import unicodedata
from pathlib import Path

import pycountry

# Short common labels where the ISO short name is long or formal.
LABELS = {
    "BOL": "Bolivia",
    "BRN": "Brunei",
    "CIV": "Ivory Coast",
    "COD": "DR Congo",
    "COG": "Republic of the Congo",
    "CPV": "Cape Verde",
    "CZE": "Czech Republic",
    "FLK": "Falkland Islands",
    "FSM": "Micronesia",
    "GBR": "United Kingdom",
    "HKG": "Hong Kong",
    "IRN": "Iran",
    "KOR": "South Korea",
    "LAO": "Laos",
    "MAC": "Macau",
    "MAF": "Saint Martin",
    "MDA": "Moldova",
    "PRK": "North Korea",
    "PSE": "Palestine",
    "RUS": "Russia",
    "SHN": "Saint Helena",
    "SWZ": "Eswatini",
    "SXM": "Sint Maarten",
    "SYR": "Syria",
    "TLS": "East Timor",
    "TUR": "Turkey",
    "TWN": "Taiwan",
    "TZA": "Tanzania",
    "USA": "United States",
    "VAT": "Vatican City",
    "VEN": "Venezuela",
    "VGB": "British Virgin Islands",
    "VIR": "US Virgin Islands",
    "VNM": "Vietnam",
    "BES": "Caribbean Netherlands",
    "CCK": "Cocos Islands",
    "STP": "Sao Tome and Principe",
    "BHS": "Bahamas",
    "GMB": "Gambia",
    "NLD": "Netherlands",
    "PHL": "Philippines",
}

# Rows pycountry does not have.
EXTRA_COUNTRIES = {
    "XKX": ("Kosovo", "partial"),
}

PARTIAL = {"TWN", "XKX"}

# ISO names that are not used as aliases because news usage means another
# row: a bare "Congo" is taken to be DR Congo (see EXTRA_ALIASES["COD"]).
DROP = {
    "COG": {"Congo"},
}

# ISO 3166-1 entries that are not sovereign states (dependencies, territories,
# special administrative regions, uninhabited areas).
TERRITORIES = set(
    """ABW AIA ALA ASM ATA ATF BES BLM BMU BVT CCK COK CUW CXR CYM ESH FLK FRO
    GGY GIB GLP GRL GUF GUM HKG HMD IMN IOT JEY MAC MAF MNP MSR MTQ MYT NCL NFK
    NIU PCN PRI PYF REU SGS SHN SJM SPM SXM TCA TKL UMI VGB VIR WLF""".split()
)

# Curated names: abbreviations, short and former names, common variants.
# Dotted and undotted abbreviations are separate aliases (U.S. / US).
EXTRA_ALIASES = {
    "USA": "United States of America|US|U.S.|USA|U.S.A.|America|the States",
    "GBR": "UK|U.K.|Britain|Great Britain",
    "ARE": "UAE|U.A.E.",
    "PRK": "North Korea|DPRK|D.P.R.K.|Democratic People's Republic of Korea",
    "KOR": "South Korea|ROK|Republic of Korea|Korea",
    "CHN": "PRC|People's Republic of China|Mainland China",
    "TWN": "Republic of China|ROC|Chinese Taipei",
    "RUS": "Russian Federation",
    "IRN": "Islamic Republic of Iran",
    "SYR": "Syrian Arab Republic",
    "VNM": "Viet Nam",
    "LAO": "Lao PDR|Lao People's Democratic Republic",
    "COD": "DRC|D.R.C.|Democratic Republic of the Congo|Democratic Republic of Congo"
    "|Congo-Kinshasa|Congo Kinshasa|Congo",
    "COG": "Congo Republic|Congo-Brazzaville|Congo Brazzaville|Republic of Congo",
    "CIV": "Côte d'Ivoire",
    "CPV": "Cabo Verde",
    "CZE": "Czechia",
    "TUR": "Türkiye",
    "MKD": "Macedonia",
    "MMR": "Burma",
    "SWZ": "Swaziland",
    "TLS": "Timor-Leste|East Timor",
    "NLD": "Holland",
    "VAT": "Vatican|Holy See",
    "PSE": "State of Palestine|Palestinian territories|Palestinian Territory"
    "|Occupied Palestinian Territories|Gaza|Gaza Strip|West Bank",
    "XKX": "Republic of Kosovo",
    "MAC": "Macao",
    "BRN": "Brunei Darussalam",
    "FLK": "Falklands|Malvinas",
    "KNA": "St Kitts|Saint Kitts",
    "BIH": "Bosnia|Bosnia-Herzegovina",
    "STP": "São Tomé and Príncipe|Sao Tome",
    "VIR": "U.S. Virgin Islands",
    "SAU": "KSA",
    "SJM": "Svalbard",
    "BES": "Bonaire",
    "SHN": "Saint Helena|Ascension Island|Tristan da Cunha",
    "UMI": "US Minor Outlying Islands",
    "MAF": "Saint-Martin",
    "FSM": "Federated States of Micronesia",
    "DEU": "Federal Republic of Germany",
    "GRC": "Hellenic Republic",
    "CHE": "Swiss Confederation",
}

# Demonyms and adjectives. "Iranian/s" means "Iranian" and "Iranians".
DEMONYMS = {
    "AFG": "Afghan/s|Afghani/s",
    "ALB": "Albanian/s",
    "DZA": "Algerian/s",
    "AND": "Andorran/s",
    "AGO": "Angolan/s",
    "ATG": "Antiguan/s",
    "ARG": "Argentine/s|Argentinian/s|Argentinean/s",
    "ARM": "Armenian/s",
    "AUS": "Australian/s|Aussie/s",
    "AUT": "Austrian/s",
    "AZE": "Azerbaijani/s|Azeri/s",
    "BHS": "Bahamian/s",
    "BHR": "Bahraini/s",
    "BGD": "Bangladeshi/s",
    "BRB": "Barbadian/s|Bajan/s",
    "BLR": "Belarusian/s|Belarussian/s",
    "BEL": "Belgian/s",
    "BLZ": "Belizean/s",
    "BEN": "Beninese",
    "BTN": "Bhutanese",
    "BOL": "Bolivian/s",
    "BIH": "Bosnian/s",
    "BWA": "Botswanan/s|Motswana|Batswana",
    "BRA": "Brazilian/s",
    "BRN": "Bruneian/s",
    "BGR": "Bulgarian/s",
    "BFA": "Burkinabe|Burkinabé",
    "BDI": "Burundian/s",
    "KHM": "Cambodian/s",
    "CMR": "Cameroonian/s",
    "CAN": "Canadian/s",
    "CPV": "Cape Verdean/s",
    "CAF": "Central African/s",
    "TCD": "Chadian/s",
    "CHL": "Chilean/s",
    "CHN": "Chinese",
    "COL": "Colombian/s",
    "COM": "Comoran/s|Comorian/s",
    "COD": "Congolese",
    "CRI": "Costa Rican/s",
    "HRV": "Croatian/s|Croat/s",
    "CUB": "Cuban/s",
    "CYP": "Cypriot/s",
    "CZE": "Czech/s",
    "DNK": "Danish|Dane/s",
    "DJI": "Djiboutian/s",
    "DOM": "Dominican/s",
    "ECU": "Ecuadorian/s|Ecuadorean/s",
    "EGY": "Egyptian/s",
    "SLV": "Salvadoran/s|Salvadorean/s",
    "GNQ": "Equatorial Guinean/s|Equatoguinean/s",
    "ERI": "Eritrean/s",
    "EST": "Estonian/s",
    "SWZ": "Swazi/s|Eswatini",
    "ETH": "Ethiopian/s",
    "FJI": "Fijian/s",
    "FIN": "Finnish|Finn/s",
    "FRA": "French|Frenchman|Frenchmen|Frenchwoman|Frenchwomen",
    "GAB": "Gabonese",
    "GMB": "Gambian/s",
    "GEO": "Georgian/s",
    "DEU": "German/s",
    "GHA": "Ghanaian/s",
    "GRC": "Greek/s",
    "GRD": "Grenadian/s",
    "GTM": "Guatemalan/s",
    "GIN": "Guinean/s",
    "GNB": "Bissau-Guinean/s",
    "GUY": "Guyanese",
    "HTI": "Haitian/s",
    "HND": "Honduran/s",
    "HUN": "Hungarian/s",
    "ISL": "Icelandic|Icelander/s",
    "IND": "Indian/s",
    "IDN": "Indonesian/s",
    "IRN": "Iranian/s",
    "IRQ": "Iraqi/s",
    "IRL": "Irish|Irishman|Irishmen|Irishwoman|Irishwomen",
    "ISR": "Israeli/s",
    "ITA": "Italian/s",
    "CIV": "Ivorian/s",
    "JAM": "Jamaican/s",
    "JPN": "Japanese",
    "JOR": "Jordanian/s",
    "KAZ": "Kazakh/s|Kazakhstani/s",
    "KEN": "Kenyan/s",
    "KIR": "I-Kiribati",
    "XKX": "Kosovar/s|Kosovan/s",
    "KWT": "Kuwaiti/s",
    "KGZ": "Kyrgyz|Kyrgyzstani/s",
    "LAO": "Lao|Laotian/s",
    "LVA": "Latvian/s",
    "LBN": "Lebanese",
    "LSO": "Basotho|Mosotho",
    "LBR": "Liberian/s",
    "LBY": "Libyan/s",
    "LIE": "Liechtensteiner/s",
    "LTU": "Lithuanian/s",
    "LUX": "Luxembourgish|Luxembourger/s",
    "MDG": "Malagasy",
    "MWI": "Malawian/s",
    "MYS": "Malaysian/s",
    "MDV": "Maldivian/s",
    "MLI": "Malian/s",
    "MLT": "Maltese",
    "MHL": "Marshallese",
    "MRT": "Mauritanian/s",
    "MUS": "Mauritian/s",
    "MEX": "Mexican/s",
    "FSM": "Micronesian/s",
    "MDA": "Moldovan/s",
    "MCO": "Monegasque/s",
    "MNG": "Mongolian/s",
    "MNE": "Montenegrin/s",
    "MAR": "Moroccan/s",
    "MOZ": "Mozambican/s",
    "MMR": "Burmese",
    "NAM": "Namibian/s",
    "NRU": "Nauruan/s",
    "NPL": "Nepalese|Nepali/s",
    "NLD": "Dutch|Dutchman|Dutchmen|Dutchwoman|Dutchwomen",
    "NZL": "New Zealander/s|Kiwi/s",
    "NIC": "Nicaraguan/s",
    "NER": "Nigerien/s",
    "NGA": "Nigerian/s",
    "PRK": "North Korean/s",
    "MKD": "Macedonian/s|North Macedonian/s",
    "NOR": "Norwegian/s",
    "OMN": "Omani/s",
    "PAK": "Pakistani/s",
    "PLW": "Palauan/s",
    "PSE": "Palestinian/s",
    "PAN": "Panamanian/s",
    "PNG": "Papua New Guinean/s",
    "PRY": "Paraguayan/s",
    "PER": "Peruvian/s",
    "PHL": "Filipino/s|Filipina/s|Philippine",
    "POL": "Polish|Pole/s",
    "PRT": "Portuguese",
    "QAT": "Qatari/s",
    "ROU": "Romanian/s",
    "RUS": "Russian/s",
    "RWA": "Rwandan/s",
    "KNA": "Kittitian/s",
    "LCA": "Saint Lucian/s|St Lucian/s",
    "VCT": "Vincentian/s",
    "WSM": "Samoan/s",
    "SMR": "Sammarinese",
    "STP": "Santomean/s",
    "SAU": "Saudi/s|Saudi Arabian/s",
    "SEN": "Senegalese",
    "SRB": "Serbian/s|Serb/s",
    "SYC": "Seychellois",
    "SLE": "Sierra Leonean/s",
    "SGP": "Singaporean/s",
    "SVK": "Slovak/s|Slovakian/s",
    "SVN": "Slovenian/s|Slovene/s",
    "SLB": "Solomon Islander/s",
    "SOM": "Somali/s|Somalian/s",
    "ZAF": "South African/s",
    "KOR": "South Korean/s|Korean/s",
    "SSD": "South Sudanese",
    "ESP": "Spanish|Spaniard/s",
    "LKA": "Sri Lankan/s",
    "SDN": "Sudanese",
    "SUR": "Surinamese",
    "SWE": "Swedish|Swede/s",
    "CHE": "Swiss",
    "SYR": "Syrian/s",
    "TWN": "Taiwanese",
    "TJK": "Tajik/s|Tajikistani/s",
    "TZA": "Tanzanian/s",
    "THA": "Thai/s",
    "TLS": "Timorese",
    "TGO": "Togolese",
    "TON": "Tongan/s",
    "TTO": "Trinidadian/s|Tobagonian/s",
    "TUN": "Tunisian/s",
    "TUR": "Turkish|Turk/s",
    "TKM": "Turkmen|Turkmenistani/s",
    "TUV": "Tuvaluan/s",
    "UGA": "Ugandan/s",
    "UKR": "Ukrainian/s",
    "ARE": "Emirati/s",
    "GBR": "British|Briton/s|Brit/s",
    "USA": "American/s",
    "URY": "Uruguayan/s",
    "UZB": "Uzbek/s|Uzbekistani/s",
    "VUT": "Ni-Vanuatu",
    "VEN": "Venezuelan/s",
    "VNM": "Vietnamese",
    "YEM": "Yemeni/s|Yemenite/s",
    "ZMB": "Zambian/s",
    "ZWE": "Zimbabwean/s",
    # Territories and special regions.
    "HKG": "Hong Konger/s|Hongkonger/s",
    "MAC": "Macanese",
    "PRI": "Puerto Rican/s",
    "GRL": "Greenlandic|Greenlander/s",
    "FRO": "Faroese",
    "BMU": "Bermudian/s",
    "GIB": "Gibraltarian/s",
    "ESH": "Sahrawi/s|Sahrawian/s",
    "GUM": "Guamanian/s",
    "CYM": "Caymanian/s",
    "IMN": "Manx",
    "FLK": "Falkland Islander/s",
    "NCL": "New Caledonian/s",
    "PYF": "French Polynesian/s",
    "ABW": "Aruban/s",
    "CUW": "Curaçaoan/s",
}


def fold(text: str) -> str:
    """Strip diacritics (NFKD, drop combining marks)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def key(alias: str) -> str:
    """The comparison key the Rust linker uses: folded, lower case, runs of
    letters/digits joined by single spaces."""
    return " ".join(re.findall(r"[0-9a-z]+", fold(alias).lower().replace("ß", "ss")))


def expand(spec: str) -> list[str]:
    """'Iranian/s|Japanese' -> ['Iranian', 'Iranians', 'Japanese']."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split("|"))):
        if item.endswith("/s"):
            stem = item[:-2]
            out += [stem, stem + "s"]
        else:
            out.append(item)
    return out


def iso_names(country) -> list[str]:
    """ISO names made usable as aliases: comma forms inverted ("Korea,
    Republic of" -> "Republic of Korea"), bracketed parts dropped, a leading
    "the" dropped."""
    names = []
    for attr in ("name", "common_name", "official_name"):
        name = getattr(country, attr, None)
        if not name:
            continue
        name = re.sub(r"\s*\([^)]*\)", "", name).strip()
        if ", " in name:
            head, tail = name.split(", ", 1)
            if re.search(r"\bof( the)?$", tail):
                name = f"{tail} {head}"
            else:
                continue
        name = re.sub(r"^(?i:the) ", "", name)
        names.append(name)
    return names


def saint_variants(alias: str) -> list[str]:
    if alias.startswith("Saint "):
        rest = alias[len("Saint "):]
        return [alias, "St " + rest, "St. " + rest]
    return [alias]


def main() -> int:
    out_path = Path(sys.argv[1]) if len(sys.argv) > 1 else (
        Path(__file__).resolve().parents[2] / "data" / "countries.tsv")

    rows = {}
    for c in pycountry.countries:
        code = c.alpha_3
        label = LABELS.get(code) or getattr(c, "common_name", None) or c.name
        kind = "partial" if code in PARTIAL else (
            "territory" if code in TERRITORIES else "sovereign")
        rows[code] = [label, kind, [label] + iso_names(c)]
    for code, (label, kind) in EXTRA_COUNTRIES.items():
        rows[code] = [label, kind, [label]]

    for table in (EXTRA_ALIASES, DEMONYMS):
        for code, spec in table.items():
            if code not in rows:
                raise SystemExit(f"unknown code {code} in curated table")
            rows[code][2] += expand(spec)

    sovereign = sum(1 for r in rows.values() if r[1] == "sovereign")
    if sovereign != 195:  # 193 UN members + Holy See + Palestine
        raise SystemExit(f"expected 195 sovereign states, got {sovereign}")

    owner = {}
    lines = [
        "# Generated by scripts/data/make_countries.py from pycountry "
        f"{getattr(pycountry, '__version__', '?')} and curated tables; do not edit.",
        "#alpha3\tlabel\ttype\taliases",
    ]
    for code in sorted(rows):
        label, kind, aliases = rows[code]
        seen = []
        for alias in aliases:
            for variant in saint_variants(alias):
                for form in (variant, fold(variant)):
                    if form not in seen:
                        seen.append(form)
        seen = [a for a in seen if a not in DROP.get(code, set())]
        for alias in seen:
            if any(ch in alias for ch in "|\t\n"):
                raise SystemExit(f"bad character in alias {alias!r}")
            k = key(alias)
            if not k:
                raise SystemExit(f"empty key for alias {alias!r}")
            if owner.setdefault(k, code) != code:
                raise SystemExit(
                    f"alias {alias!r} names both {owner[k]} and {code}")
        lines.append("\t".join([code, label, kind, "|".join(seen)]))

    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} countries, {len(owner)} alias keys to {out_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
