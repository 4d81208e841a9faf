#!/usr/bin/env bash
# The conversation-reading stance model (models/stance-comments): the accurate MPNet model
# (models/stance-accurate) continued with the conversation (stance_data.py step 5: the
# document title and the replied-to comment after the pair), training only its top 6
# layers and the head (--train-top 6), so the export keeps the embeddings and layers 0-5
# bit-identical and ships without them (export_stance.py --share-unchanged).
# Data: the comment and reply-chain sets (MT-CSD Bitcoin + SpaceX train with their chains,
# reddit-trump train with parent_content minus the comment dev set's comments,
# Multi-Target Stance, Dong et al.'s target tweets) plus a sample of the news and tweet
# sets the accurate model learnt from (NewsMTSC 3,000, P-Stance 3,000, SemEval 1,000) so
# it keeps them. One epoch, bf16, selection every 300 steps on NewsMTSC dev + P-Stance dev
# + MT-CSD Bitcoin valid. Resumable: rerun the same command after an interruption.
#   CONTEXT=0 trains the same recipe without the conversation (the ablation) into
#   checkpoints/stance-comments-nocontext.
# Needs the training venv (scripts/setup_train_env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv-train/bin/python}
THREADS=${THREADS:-1}
CONTEXT=${CONTEXT:-1}
if [ "$CONTEXT" = 1 ]; then FLAG=--context; CKPT=checkpoints/stance-comments; else FLAG=; CKPT=checkpoints/stance-comments-nocontext; fi
"$PY" scripts/train_stance.py --base models/stance-accurate --ckpt "$CKPT" --mode both $FLAG \
  --sets newsmtsc,pstance,semeval,reddit,mtcsd,multitarget,acl14 --cap newsmtsc=3000,pstance=3000,semeval=1000 \
  --epochs 1 --lr 2e-5 --batch 16 --bf16 --threads "$THREADS" --train-top 6 \
  --save-every 25 --eval-every 300 --init-seed 31 "$@"
