#!/usr/bin/env python3
"""List C functions longer than a limit (default 80 lines, body braces included).

A function is a line at column 0 that opens a brace ('{' alone, or a signature
ending in '{') after a signature, closed by '}' at column 0: the layout every
file of this project uses.  Usage: tools/funclen.py [--max N] FILE...
Exit 1 when any function is longer than N lines."""
import re, sys

def functions(path):
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    start = name = None
    for i, line in enumerate(lines):
        if start is None and line.startswith('{'):
            # the signature: scan back to the line with the name
            j = i - 1
            while j >= 0 and '(' not in lines[j]:
                j -= 1
            m = re.search(r'(\w+)\s*\(', lines[j]) if j >= 0 else None
            start, name = j if j >= 0 else i, m.group(1) if m else '?'
        elif start is None and re.match(r'^[A-Za-z].*\)\s*\{\s*$', line) and not line.startswith(('typedef', 'struct', 'enum', 'union')):
            m = re.search(r'(\w+)\s*\(', line)
            start, name = i, m.group(1) if m else '?'
        elif start is not None and line.startswith('}'):
            yield name, start + 1, i + 1
            start = None

def main():
    args = sys.argv[1:]
    limit = 80
    if args[:1] == ['--max']:
        limit, args = int(args[1]), args[2:]
    bad = 0
    for path in args:
        for name, a, b in functions(path):
            if b - a + 1 > limit:
                print(f'{path}:{a}: {name}() is {b - a + 1} lines (limit {limit})')
                bad += 1
    return 1 if bad else 0

sys.exit(main())
