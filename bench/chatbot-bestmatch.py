#!/usr/bin/env python3
"""ChatterBot's default bot, BestMatch with LevenshteinDistance, on a lexflow split.

Reads the JSON bench/chatbot.ts writes (train conversations, held-out pairs, the
candidate replies and each pair's true candidate) and prints one JSON line with
Recall@1, Recall@5 and MRR, computed as lexflow computes them (expected values
when ties are broken at random).

As ChatterBot 1.x does it: LevenshteinDistance.compare is
round(difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio(), 2); BestMatch
takes the known statement closest to the input (the first to reach 0.95 ends
the search), and answers with a reply stored in response to it. Two choices
here favour BestMatch: every known statement is compared (ChatterBot first
narrows them by shared lemma bigrams), and only statements that have a reply
are searched. To rank the candidates, each scores its best comparison with the
replies to the closest statement, with the same compare function; candidates
that repeat a turn of the query's own context are left out, as for lexflow.
"""
import json
import sys
from difflib import SequenceMatcher

MAXIMUM_SIMILARITY_THRESHOLD = 0.95


def compare(a, b):
    if not a or not b:
        return 0
    return round(SequenceMatcher(None, a.lower(), b.lower()).ratio(), 2)


def upper_bound(a, b):
    # quick_ratio() >= ratio(), so a statement whose rounded bound is no better cannot win.
    return round(SequenceMatcher(None, a.lower(), b.lower()).quick_ratio(), 2)


def rank_stats(scores, target, ks):
    s = scores[target]
    greater = sum(1 for i, x in enumerate(scores) if i != target and x > s)
    ties = sum(1 for i, x in enumerate(scores) if i != target and x == s)
    recall = [max(0.0, min(1.0, (k - greater) / (ties + 1))) for k in ks]
    rr = sum(1.0 / p for p in range(greater + 1, greater + ties + 2)) / (ties + 1)
    return recall, rr


def main():
    data = json.load(open(sys.argv[1], encoding='utf-8'))
    responses = {}
    order = []
    for conv in data['train']:
        for prev, reply in zip(conv, conv[1:]):
            if prev not in responses:
                responses[prev] = []
                order.append(prev)
            responses[prev].append(reply)
    candidates = data['candidates']
    r1 = r5 = rr = 0.0
    long_sum = [0.0, 0.0, 0.0]
    long_n = 0
    for pair in data['pairs']:
        text = pair['context'][-1]
        best, best_conf = None, 0.0
        for statement in order:
            if upper_bound(text, statement) <= best_conf:
                continue
            conf = compare(text, statement)
            if conf > best_conf:
                best, best_conf = statement, conf
                if conf >= MAXIMUM_SIMILARITY_THRESHOLD:
                    break
        replies = responses[best] if best is not None else [text]
        scores = [max(compare(r, c) for r in replies) for c in candidates]
        # As lexflow does: a candidate repeating a turn of the context is not a reply to it.
        for j in pair['exclude']:
            scores[j] = float('-inf')
        (a, b), c = rank_stats(scores, pair['target'], [1, 5])
        r1 += a
        r5 += b
        rr += c
        if len(pair['context']) >= 2:
            long_n += 1
            long_sum = [long_sum[0] + a, long_sum[1] + b, long_sum[2] + c]
    n = len(data['pairs'])
    print(json.dumps({
        'queries': n,
        'recall1': r1 / n, 'recall5': r5 / n, 'mrr': rr / n,
        'long': {'queries': long_n, 'recall1': long_sum[0] / max(1, long_n), 'recall5': long_sum[1] / max(1, long_n), 'mrr': long_sum[2] / max(1, long_n)},
    }))


if __name__ == '__main__':
    main()
