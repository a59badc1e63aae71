"""Rule documentation from the registry: what ``slimage rule`` prints and docs/rules/ holds.

The docs come from the code (each rule class's docstring and attributes), so a rule's
page cannot drift from the rule. ``scripts/gen_rule_docs.py`` writes these pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from slimage.rules.base import Rule

_CATEGORY = {"1": "image size", "2": "security", "3": "correctness"}


def category(code: str) -> str:
    return _CATEGORY.get(code[2:3], "other")


def fix_label(rule: type[Rule]) -> str:
    return {"safe": "safe fix", "unsafe": "unsafe fix"}.get(rule.fix_safety, "no fix")


def rule_markdown(rule: type[Rule]) -> str:
    """One rule's page: title, facts, then its docstring sections as Markdown headings."""
    from slimage.rules.registry import REQUIRED_SECTIONS, doc_sections

    facts = [
        f"- Code: `{rule.code}`",
        f"- Name: `{rule.name}`",
        f"- Category: {category(rule.code)}",
        f"- Default severity: {rule.severity}",
        f"- Fix: {fix_label(rule)}",
    ]
    if rule.hadolint:
        facts.append(f"- Covers hadolint: {', '.join(f'`{c}`' for c in rule.hadolint)}")
    lines = [f"# {rule.code} {rule.name}", "", rule.title, "", *facts, ""]
    sections = doc_sections(rule)
    documentation = rule.documentation()
    if not sections:
        lines.extend([documentation, ""])
    else:
        # Text before the first section (a summary paragraph), when the docstring has one.
        first = min(
            (documentation.find(s) for s in sections if documentation.find(s) >= 0), default=0
        )
        intro = documentation[:first].strip().rstrip("#").strip()
        if intro:
            lines.extend([intro, ""])
        order = [*REQUIRED_SECTIONS, "Fix safety"]
        for heading in [*order, *(s for s in sections if s not in order)]:
            if heading in sections:
                lines.extend([f"## {heading}", "", sections[heading], ""])
    lines.extend(
        [
            "## Suppression",
            "",
            f"`# slimage: ignore={rule.code}` on the line above the instruction, or "
            f'`ignore = ["{rule.code}"]` in `[tool.slimage]`.',
            "",
        ]
    )
    return "\n".join(lines).rstrip("\n") + "\n"


def rules_table(rules: Sequence[type[Rule]], *, link_prefix: str = "rules/") -> str:
    """The Markdown table of every rule (docs/rules.md)."""
    rows = [
        "| Code | Name | Title | Severity | Fix |",
        "|---|---|---|---|---|",
    ]
    for rule in rules:
        title = rule.title.replace("|", "\\|")
        rows.append(
            f"| [{rule.code}]({link_prefix}{rule.code}.md) | `{rule.name}` | {title} | "
            f"{rule.severity} | {fix_label(rule)} |"
        )
    return "\n".join(rows) + "\n"
