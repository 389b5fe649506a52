"""Batched sampling where each request draws from its own seeded generator.

A logits processor samples every row itself (classifier-free guidance, temperature, top-k,
top-p, then inverse-CDF sampling with a uniform drawn from the row's request generator) and returns scores that are a large
negative constant everywhere but 0 at the drawn token, so greedy selection picks it. A request's
output therefore depends on its own seed only, not on which other requests share its batch.

transformers' MusicGen appends its own guidance processor after the caller's processors; when the
scores still hold the conditional and unconditional halves, this sampler applies the guidance
itself and returns the same one-hot scores in both halves, which that processor leaves unchanged
(uncond + (cond - uncond) x scale = uncond).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from transformers import LogitsProcessor

MASKED = -1.0e4
"""Score of every token but the drawn one (finite, so guidance arithmetic stays exact)."""


class SeededSampler(LogitsProcessor):
    """Per-request seeded sampling for rows grouped `rows_per_request` at a time."""

    def __init__(
        self,
        seeds: Sequence[int],
        rows_per_request: int,
        device: str | torch.device,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        guidance_scale: float | None = None,
    ):
        if temperature <= 0:
            raise ValueError(f"temperature must be > 0 for sampling, got {temperature}")
        self.generators = [torch.Generator(device=device).manual_seed(int(s)) for s in seeds]
        self.rows = rows_per_request
        self.temperature, self.top_k, self.top_p = temperature, top_k, top_p
        self.guidance_scale = guidance_scale

    def candidates(self, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Each row's candidate scores after temperature, top-k and top-p (float32, -inf where
        dropped), and the token ids they stand for (None: the whole vocabulary, in order).

        Top-k keeps exactly k tokens (`torch.topk`; a tie at the k-th score is broken by
        index). Top-p then sorts only those k, which is what makes large batches cheap.
        """
        scores = scores.float() / self.temperature
        ids = None
        if self.top_k and self.top_k < scores.shape[-1]:
            scores, ids = torch.topk(scores, self.top_k, dim=-1)  # sorted, descending
        if self.top_p is not None and 0.0 < self.top_p < 1.0:
            if ids is None:
                scores, ids = torch.sort(scores, descending=True, dim=-1)
            probs = scores.softmax(dim=-1)
            drop = probs.cumsum(dim=-1) - probs > self.top_p  # always keeps the first token
            scores = scores.masked_fill(drop, float("-inf"))
        return scores, ids

    def draw(self, scores: torch.Tensor) -> torch.Tensor:
        """One token id per row [rows, 1]: inverse-CDF sampling with a uniform from the row's
        request generator (one draw per row per step, whatever the batch)."""
        kept, ids = self.candidates(scores)
        cdf = kept.softmax(dim=-1).cumsum(dim=-1)
        u = torch.cat(
            [torch.rand(self.rows, 1, generator=g, device=g.device) for g in self.generators]
        ).to(cdf.device)
        total = cdf[:, -1:]
        # below the total, so the pick is always a token of nonzero probability
        target = torch.minimum(u * total, torch.nextafter(total, torch.zeros_like(total)))
        pick = torch.searchsorted(cdf, target, right=True).clamp_(max=cdf.shape[-1] - 1)
        return pick if ids is None else ids.gather(-1, pick)

    def guided(self, input_ids: torch.Tensor, scores: torch.Tensor) -> tuple[torch.Tensor, bool]:
        if scores.shape[0] != 2 * input_ids.shape[0]:
            return scores, False
        if not self.guidance_scale:
            raise RuntimeError("scores carry an unconditional half but no guidance scale was set")
        cond, uncond = scores.split(input_ids.shape[0], dim=0)
        return uncond + (cond - uncond) * self.guidance_scale, True

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        guided, doubled = self.guided(input_ids, scores)
        expected = len(self.generators) * self.rows
        if guided.shape[0] != expected:
            raise RuntimeError(f"sampler expected {expected} rows of scores, got {guided.shape[0]}")
        drawn = self.draw(guided)
        out = torch.full_like(guided, MASKED).scatter(1, drawn, 0.0)
        return torch.cat([out, out]) if doubled else out
