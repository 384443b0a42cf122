"""The structure tree repaired while WeasyPrint writes it (reporting/pdftags.py), read back with pikepdf."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

from reporting import pdftags
from reporting.pdf import REPORT_VARIANT, render_pdf
from reporting.pdfjoin import finish

from .test_documents import conformance_failures

HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tags</title></head><body>
<h1>Heading with <em>emphasis</em></h1>
<p>Plain text, <span>a span</span>, <strong>strong</strong> and <a href="#end">a link</a>.</p>
<dl><div><dt>Term</dt><dd>Description of the term</dd></div><div><dt>Other</dt><dd>Another</dd></div></dl>
<table><thead><tr><th>Country</th><th>Value</th></tr></thead>
<tbody>{rows}</tbody></table>
<p id="end">The end.</p>
</body></html>"""


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    rows = "".join(f"<tr><td>Country {n}</td><td>{n}</td></tr>" for n in range(120))  # over pages
    rendered = render_pdf(html=HTML.format(rows=rows), report_css=False, variant=REPORT_VARIANT)
    path = tmp_path_factory.mktemp("tags") / "tags.pdf"
    path.write_bytes(finish(rendered.pdf, title="Tags", language="en"))
    return rendered, path


def test_the_tree_holds_what_the_page_shows_without_text_only_spans(tagged):
    rendered, path = tagged
    assert rendered.pages >= 2  # the table is continued on another page
    with pikepdf.open(io.BytesIO(rendered.pdf)) as pdf:
        root = pdf.Root.StructTreeRoot
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        owner: dict[tuple[int, int], pikepdf.Dictionary] = {}  # (page, mcid) -> element holding it
        kinds = []
        plain_spans_left = 0
        stack = [(kid, None) for kid in _kids(root)]
        while stack:
            element, page = stack.pop()
            kinds.append(str(element.S))
            if "/Pg" in element:
                assert pages[element.Pg.objgen] != page  # never repeats its parent's page
                page = pages[element.Pg.objgen]
            assert "/Type" not in element
            kids = _kids(element)
            holds_content = str(element.S) in pdftags._CONTENT_HOLDERS
            if element.S == pikepdf.Name.L:
                assert all(
                    kid.get("/S") == pikepdf.Name.LI for kid in kids if isinstance(kid, pikepdf.Dictionary)
                )
            if str(element.S) in {"/THead", "/TBody", "/TFoot"}:
                assert all(
                    kid.get("/S") == pikepdf.Name.TR for kid in kids if isinstance(kid, pikepdf.Dictionary)
                )
            for kid in kids:
                if isinstance(kid, int):
                    owner[(page, kid)] = element
                elif "/S" in kid:
                    assert kid.P.objgen == element.objgen
                    if kid.S in (pikepdf.Name.Span, pikepdf.Name.NonStruct) and holds_content:
                        if set(kid.keys()) <= {"/S", "/P", "/K"} and all(
                            isinstance(x, int) for x in _kids(kid)
                        ):
                            plain_spans_left += 1
                    stack.append((kid, page))
        # The Span of each run of text went to its paragraph, heading or cell; the only plain one left is
        # the document's own <span> (its run of text went to it: the walk goes from the top down).
        assert plain_spans_left == 1
        assert {"/H1", "/P", "/L", "/LI", "/Table", "/TR", "/TH", "/TD", "/Link"} <= set(kinds)
        # Every marked content of every page is named in the parent tree, and by the element holding it.
        tree = dict(pikepdf.NumberTree(root.ParentTree).items())
        named = 0
        for number, page in enumerate(pdf.pages):
            content = page.obj.Contents.read_bytes()
            for mcid in map(int, re.findall(rb"/MCID (\d+)", content)):
                parents = tree[int(page.obj.StructParents)]
                element = parents[mcid]
                if (number, mcid) in owner:
                    assert element.objgen == owner[(number, mcid)].objgen
                    named += 1
        assert named > 100


def test_the_repaired_file_passes_the_independent_checker(tagged):
    _rendered, path = tagged
    assert conformance_failures(path, "ua1") == []
    assert conformance_failures(path, "3a") == []
