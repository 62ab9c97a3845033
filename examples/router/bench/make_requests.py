#!/usr/bin/env python3
"""Regenerate bench/requests.jsonl (deterministic). Not used by the benchmark itself.

Each request gets a label from a hidden ground-truth rule over the same kind of features the
router looks at (length, code, questions, keywords), then ~5% of labels are moved one tier up
or down to stand for annotator noise.
"""

import json
import os
import random
import re

SEED = 20240611
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requests.jsonl")
TIERS = ["small", "medium", "large"]

# ---- hidden ground truth (the router does not see this) --------------------------------
HARD = ("prove", "derive", "refactor", "architect", "optimi", "concurren", "theorem")
TASK = ("translat", "summar", "explain", "compare", "rewrite", "debug")


def truth(prompt):
    words = re.findall(r"[A-Za-z0-9_']+", prompt.lower())
    code = "```" in prompt
    questions = prompt.count("?")
    hard = sum(any(w.startswith(k) for w in words) for k in HARD)
    task = sum(any(w.startswith(k) for w in words) for k in TASK)
    c = len(words) / 110 + 1.3 * code + 0.45 * max(0, questions - 1) + 2.1 * hard + 0.6 * task
    return 0 if c < 0.9 else 1 if c < 2.0 else 2


# ---- text pieces ------------------------------------------------------------------------
TOPICS = ["the quarterly sales figures", "our onboarding process", "the new parking rules",
          "the migration to the cloud", "the customer survey", "the team offsite",
          "the holiday schedule", "the vendor contract", "the support backlog",
          "the data retention policy", "the marketing budget", "the hiring plan"]
FILLER = [
    "The team met on Monday to go over {t} in detail.",
    "Several people raised concerns about {t} and the timeline attached to it.",
    "Most of the feedback so far has been positive, although a few points remain open.",
    "The finance department asked for a clearer breakdown of the costs involved.",
    "We expect the first results by the end of next month.",
    "A short pilot with two teams ran smoothly and nobody reported blocking issues.",
    "The document below was written quickly, so some sentences are a little rough.",
    "Management wants a single page that anyone in the company can read in two minutes.",
    "Legal reviewed {t} and suggested a couple of small wording changes.",
    "There is still some disagreement about who owns the follow-up work.",
    "Last year a similar effort stalled because nobody tracked the action items.",
    "The numbers in the appendix come from the internal dashboard and were checked twice.",
    "Customers mostly care about response times and clear communication.",
    "Please keep the tone friendly and avoid jargon where possible.",
    "The previous version of this text was sent to the whole department in March.",
]
GREETINGS = ["Hi there!", "Hello!", "Good morning.", "Hey, quick one.", "Thanks for the help earlier.",
             "Hope you are doing well.", "Hi!", "Morning!"]
SMALL_Q = ["How are you today?", "What time zone is Berlin in?", "Can you recommend a good book?",
           "Is it going to rain tomorrow in Lisbon?", "What is a good name for a cat?",
           "How many days are there in a leap year?", "What does RSVP stand for?",
           "Who wrote Pride and Prejudice?", "What is the capital of Australia?",
           "How do I say thank you in Japanese?", "What is the boiling point of water in Fahrenheit?",
           "When did the Berlin Wall fall?", "What is the tallest mountain in Africa?",
           "How many legs does a spider have?", "Which planet is closest to the sun?"]
LANGS = ["German", "French", "Spanish", "Italian", "Portuguese", "Japanese", "Dutch"]
CODE_SNIPPETS = [
    "def total(items):\n    s = 0\n    for item in items:\n        s += item.price\n    return s",
    "function debounce(fn, ms) {\n  let t;\n  return (...args) => {\n    clearTimeout(t);\n    t = setTimeout(() => fn(...args), ms);\n  };\n}",
    "SELECT name, COUNT(*)\nFROM orders\nJOIN users ON users.id = orders.user_id\nGROUP BY name;",
    "class Cache:\n    def __init__(self):\n        self.data = {}\n    def get(self, key):\n        return self.data[key]",
    "for (int i = 0; i <= n; i++) {\n    sum += a[i];\n}",
    "async def fetch_all(urls):\n    results = []\n    for url in urls:\n        results.append(await fetch(url))\n    return results",
    "while True:\n    line = f.readline()\n    if line == '':\n        break\n    process(line)",
]
CODE_ASKS_SMALL = ["What language is this?", "Can you format this nicely?", "Add a comment to the first line."]
CODE_ASKS_MEDIUM = ["Can you explain what this does?", "Why does this crash on an empty list?",
                    "Please debug this, it returns the wrong total.", "Add type hints to this function.",
                    "Write a unit test for this.", "Is there an off-by-one error here?"]
CODE_ASKS_HARD = ["Refactor this into smaller functions and keep the behaviour identical.",
                  "Optimize this for large inputs and explain the complexity.",
                  "Is this safe under concurrency? Rewrite it if not.",
                  "Suggest an architecture for a service built around this code."]
MATH_EASY = ["What is 17 times 23?", "What is 15% of 240?", "Convert 3.5 kilometres to miles.",
             "What is the square root of 144?", "Round 2.71828 to two decimals."]
MATH_HARD = ["Prove that the square root of 2 is irrational.",
             "Derive the formula for the sum of a geometric series.",
             "Prove that there are infinitely many primes.",
             "Derive the closed form of the Fibonacci numbers.",
             "State and prove the pigeonhole principle with an example.",
             "Optimize the expected cost of this inventory model and derive the optimal order size."]
MULTI_Q = ["What changed since the last version?", "Who is responsible for the rollout?",
           "How much will it cost?", "When can we start?", "Which teams are affected?",
           "What are the main risks?", "Do we need approval from legal?", "How will we measure success?",
           "Is there a fallback plan?", "What should we tell customers?"]


def filler(rng, n):
    topic = rng.choice(TOPICS)
    return " ".join(rng.choice(FILLER).format(t=topic) for _ in range(n))


def make(rng, category):
    if category == "chitchat":
        p = rng.choice(GREETINGS) + " " + rng.choice(SMALL_Q)
        if rng.random() < 0.3:
            p += " " + filler(rng, rng.randint(1, 3))
    elif category == "factual":
        p = rng.choice(SMALL_Q)
        if rng.random() < 0.6:
            p = filler(rng, rng.randint(1, 8)) + " " + p
    elif category == "translate":
        p = f"Translate the following text into {rng.choice(LANGS)}: " + filler(rng, rng.choice([1, 2, 3, 4, 6, 9, 14]))
    elif category == "summarize":
        p = rng.choice(["Summarize this for the team newsletter:", "Please summarize the notes below.",
                        "Can you summarize this in three bullet points?"]) + " " + filler(rng, rng.randint(3, 22))
    elif category == "code":
        level = rng.random()
        asks = CODE_ASKS_SMALL if level < 0.25 else CODE_ASKS_MEDIUM if level < 0.7 else CODE_ASKS_HARD
        p = rng.choice(asks) + "\n```\n" + rng.choice(CODE_SNIPPETS) + "\n```"
        if rng.random() < 0.3:
            p += "\n" + filler(rng, rng.randint(1, 6))
    elif category == "math":
        p = rng.choice(MATH_HARD if rng.random() < 0.55 else MATH_EASY)
        if rng.random() < 0.3:
            p += " Show your work."
    else:  # multi-question
        qs = rng.sample(MULTI_Q, rng.randint(2, 6))
        p = filler(rng, rng.randint(0, 6)) + " " + " ".join(qs)
    return p.strip()


def main():
    rng = random.Random(SEED)
    mix = [("chitchat", 35), ("factual", 45), ("translate", 45), ("summarize", 45),
           ("code", 55), ("math", 40), ("multi", 35)]
    rows = []
    for category, count in mix:
        for _ in range(count):
            prompt = make(rng, category)
            label = truth(prompt)
            if rng.random() < 0.05:  # annotator noise
                label = min(2, max(0, label + rng.choice([-1, 1])))
            rows.append({"category": category, "prompt": prompt, "label": TIERS[label]})
    rng.shuffle(rows)
    with open(OUT, "w", encoding="utf-8") as out:
        for i, row in enumerate(rows):
            out.write(json.dumps({"id": f"r{i:03d}", **row}) + "\n")
    print(f"wrote {len(rows)} requests to {OUT}")


if __name__ == "__main__":
    main()
