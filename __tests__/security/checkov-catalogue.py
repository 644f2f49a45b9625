#!/usr/bin/env python3
"""Regenerates checkov-catalogue.json: every checkov AWS rule for Terraform (resource, data,
provider and graph checks) with its id, title, block kind and the types it inspects.

Usage: checkov-catalogue.py <checkov checkout> [commit] > __tests__/security/checkov-catalogue.json

Reads the rule files as text (checkov itself is not imported, nor needed to run the tests).
The security test fails when the estate emits a type one of these rules inspects and no
evaluation of that rule exists in rules.ts.
"""
import glob, json, os, re, subprocess, sys

import yaml

root = sys.argv[1]
checks = os.path.join(root, 'checkov', 'terraform', 'checks')
QUOTED = r'''["']([a-z0-9_]+)["']'''


def inherited_types(text):
    """The types a rule takes from the base class it extends (a module of checkov's)."""
    for module in re.findall(r'from (checkov\.terraform\.checks\.[\w.]+) import', text):
        path = os.path.join(root, *module.split('.')) + '.py'
        if os.path.exists(path):
            base = open(path).read()
            listed = re.search(r'''supported_(?:resources?|data)\s*=\s*(\([^)]*\)|\[[^\]]*\]|\{[^}]*\})''', base, re.S)
            if listed:
                return re.findall(QUOTED, listed.group(1))
    return []


def python_rules(kind):
    for path in sorted(glob.glob(os.path.join(checks, kind, 'aws', '*.py'))):
        text = open(path).read()
        rule_id = re.search(r'''id\s*=\s*["'](CKV2?_AWS_\d+)["']''', text)
        if not rule_id:
            continue
        name = re.search(r'''name\s*=\s*\(?\s*(?:f?["'])([^"'\n]+)["']''', text)
        listed = re.search(r'''supported_(?:resources?|data|provider)\s*=\s*(\([^)]*\)|\[[^\]]*\]|\{[^}]*\}|["'][^"']+["'])''', text, re.S)
        types = re.findall(QUOTED, listed.group(1)) if listed else inherited_types(text)
        if kind == 'provider':
            types = ['aws']
        yield {
            'id': rule_id.group(1),
            'name': ' '.join(name.group(1).split()) if name else '',
            'block': {'resource': 'resource', 'data': 'data', 'provider': 'provider'}[kind],
            'types': sorted(set(t for t in types if t.startswith('aws'))),
            'source': os.path.relpath(path, root),
        }


def resource_types(node, acc):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == 'resource_types':
                acc.update(value if isinstance(value, list) else [value])
            else:
                resource_types(value, acc)
    elif isinstance(node, list):
        for item in node:
            resource_types(item, acc)


def graph_rules():
    for path in sorted(glob.glob(os.path.join(checks, 'graph_checks', 'aws', '*.yaml'))):
        doc = yaml.safe_load(open(path))
        types = set()
        resource_types(doc.get('definition'), types)
        yield {
            'id': doc['metadata']['id'],
            'name': ' '.join(doc['metadata']['name'].split()),
            'block': 'graph',
            'types': sorted(t for t in types if t.startswith('aws')),
            'source': os.path.relpath(path, root),
        }


rules = [*python_rules('resource'), *python_rules('data'), *python_rules('provider'), *graph_rules()]
rules.sort(key=lambda r: (r['id'].startswith('CKV2'), int(r['id'].rsplit('_', 1)[1]), r['source']))
commit = sys.argv[2] if len(sys.argv) > 2 else subprocess.run(['git', '-C', root, 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip()
json.dump({'checkov': 'bridgecrewio/checkov', 'commit': commit or 'unknown', 'rules': rules}, sys.stdout, indent=1)
sys.stdout.write('\n')
