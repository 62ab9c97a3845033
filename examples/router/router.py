"""Route each request to the cheapest model tier that can handle it.

The router estimates a request's difficulty as a weighted sum of cheap text features and
compares it with two thresholds. The weights and thresholds below are first guesses.
"""

import re

TIERS = ("small", "medium", "large")

# How much each signal adds to the estimated difficulty.
WORD_WEIGHT = 0.002            # per word of the prompt
CODE_WEIGHT = 0.5            # the prompt contains a code block
QUESTION_WEIGHT = 0.1         # per question after the first one
HARD_KEYWORD_WEIGHT = 0.4     # per kind of "hard" request (proofs, refactoring, ...)
TASK_KEYWORD_WEIGHT = 2.5     # per kind of transformation task (translate, summarize, ...)

# Difficulty from which a request goes to the medium / large tier.
MEDIUM_THRESHOLD = 1.0
LARGE_THRESHOLD = 3.5

# Word stems, so "proof"/"proving" or "summary"/"summarise" match too.
HARD_KEYWORDS = ("prove", "derive", "refactor", "architect", "optimi", "concurren", "theorem")
TASK_KEYWORDS = ("translat", "summar", "explain", "compare", "rewrite", "debug")

WORD_RE = re.compile(r"[A-Za-z0-9_']+")


def features(prompt):
    """Cheap features of a prompt."""
    words = WORD_RE.findall(prompt.lower())
    return {
        "words": len(words),
        "code": "```" in prompt,
        "questions": prompt.count("?"),
        "hard": sum(any(w.startswith(k) for w in words) for k in HARD_KEYWORDS),
        "task": sum(any(w.startswith(k) for w in words) for k in TASK_KEYWORDS),
    }


def difficulty(prompt):
    f = features(prompt)
    score = WORD_WEIGHT * f["words"]
    if f["code"]:
        score += CODE_WEIGHT
    score += QUESTION_WEIGHT * max(0, f["questions"] - 1)
    score += HARD_KEYWORD_WEIGHT * f["hard"]
    score += TASK_KEYWORD_WEIGHT * f["task"]
    return score


def route(request):
    """Return "small", "medium" or "large" for a request like {"prompt": "..."}."""
    d = difficulty(request.get("prompt", ""))
    if d >= LARGE_THRESHOLD:
        return "large"
    if d >= MEDIUM_THRESHOLD:
        return "medium"
    return "small"
