"""pycocoevalcap's own steps (PTB tokenizer, then each scorer): the reference that the caption
metrics are tested against."""

from __future__ import annotations

import functools

import numpy as np


def ptb_tokenize(hyps: list[str], refs: list[list[str]]) -> tuple[dict, dict]:
    """pycocoevalcap's PTBTokenizer on COCOEvalCap's input shape: (gts, res) by image key."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    tok = PTBTokenizer()
    gts = tok.tokenize({i: [{"caption": c} for c in r] for i, r in enumerate(refs)})
    res = tok.tokenize({i: [{"caption": h}] for i, h in enumerate(hyps)})
    return gts, res


@functools.cache
def scorers() -> dict:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge

    return {
        "bleu": Bleu(4),
        "meteor@coco": Meteor(),
        "rouge-l@coco": Rouge(),
        "cider-d@coco": Cider(),
    }


def coco_score(name: str, gts: dict, res: dict) -> tuple[float, np.ndarray]:
    """(corpus value, per-image values) of one preset's pycocoevalcap scorer."""
    if name.startswith("bleu-"):
        k = int(name[5]) - 1
        score, per_image = scorers()["bleu"].compute_score(gts, res, verbose=0)
        return score[k], np.array(per_image[k])
    score, per_image = scorers()[name].compute_score(gts, res)
    return score, np.array(per_image)
