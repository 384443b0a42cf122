"""The structure tree WeasyPrint writes, repaired before it is written (a ``write_pdf`` finisher).

WeasyPrint (70) builds the structure tree of a tagged PDF as pydyf objects and hands them to the
``finisher`` of ``Document.write_pdf`` before anything is written. ``repair`` puts right there what it
gets wrong, so that the tree says what the page shows (PDF/UA-1), and leaves out what it repeats:

- a list (L) holds list items only: the groups between them (``<dl>`` with a ``<div>`` around each
  term and description comes out as L > Div > LI) are lifted out;
- a row group (THead, TBody, TFoot) holds rows only: row groups nested in one (a table continued on the
  next page) are lifted out;
- /Type (optional) and a /Pg naming the same page as the parent's (marked content inherits the page of
  the nearest element that names one) are left out;
- a Span or NonStruct that only wraps marked content of its parent's page (no attributes) gives that
  content to a parent that may hold it (a paragraph, heading, cell...): the same reading order and the
  same text, a third of the elements, and the parent tree names the parent for that content. WeasyPrint
  wraps every run of inline text in such a Span (two in three elements of a report). The walk goes from
  the top down, as the pikepdf repair before it did: a ``<span>`` of the document itself takes its run
  of text and stays (tests/reporting/test_pdftags.py).

The Spans given to their parent are written as ``null`` (pydyf numbers objects by their place in its
list, so they cannot be removed; a null costs a few bytes); the lifted groups are left unreferenced.
Done here rather than by reading the written file again (with pikepdf, as before): a part of the
alliance-wide report comes out of WeasyPrint ready to join.
"""

from __future__ import annotations

import pydyf

_ROW_GROUPS = frozenset({"/THead", "/TBody", "/TFoot"})
# Groups lifted out of their parent: L > Div, and row groups in row groups.
_LIFTED_FROM = {"/L": frozenset({"/Div"}), **{group: _ROW_GROUPS for group in _ROW_GROUPS}}
_PLAIN_WRAPPERS = frozenset({"/Span", "/NonStruct"})
_PLAIN_KEYS = frozenset({"S", "P", "K", "Type", "Pg"})
# Parents that may hold marked content themselves (never a list, a table or a row).
_CONTENT_HOLDERS = frozenset(
    "/P /H /H1 /H2 /H3 /H4 /H5 /H6 /TD /TH /LBody /Lbl /Caption /Link /Span /Quote /Note /Code".split()
)


class _Dropped(pydyf.Object):
    """An element taken out of the tree, written as ``null`` in its place."""

    @property
    def data(self) -> bytes:
        return b"null"


def repair(_document, pdf: pydyf.PDF) -> None:
    """Repair the structure tree of ``pdf`` in place (see the module's docstring); a ``finisher``."""
    root_reference = pdf.catalog.get("StructTreeRoot")
    if root_reference is None:
        return
    objects = pdf.objects

    def resolve(reference):
        if isinstance(reference, bytes) and reference.endswith(b" R"):
            return objects[int(reference.split(b" ", 1)[0])]
        return None

    def element_of(kid):
        found = resolve(kid)
        return found if isinstance(found, dict) and "S" in found else None

    def kind_of(kid):
        child = element_of(kid)
        return None if child is None else child["S"]

    def lifted_kids(element, kids, wrappers) -> list:
        flat = []
        for kid in kids:
            child = element_of(kid)
            if child is not None and child["S"] in wrappers:
                flat += lifted_kids(element, child.get("K", ()), wrappers)  # (left out of the tree)
            else:
                if child is not None:
                    child["P"] = element.reference
                flat.append(kid)
        return flat

    root = resolve(root_reference)
    lifted: dict[bytes, bytes] = {}  # reference of a dropped wrapper -> reference of its parent
    stack = [(kid, None) for kid in root.get("K", ())]
    while stack:
        reference, inherited = stack.pop()
        element = element_of(reference)
        if element is None:
            continue
        kids = element.get("K")
        kids = list(kids) if isinstance(kids, list) else ([] if kids is None else [kids])
        kind = element["S"]
        wrappers = _LIFTED_FROM.get(kind)
        if wrappers and any(kind_of(kid) in wrappers for kid in kids):
            kids = lifted_kids(element, kids, wrappers)
            element["K"] = pydyf.Array(kids)
        element.pop("Type", None)
        page = element.get("Pg")
        if page is not None and page == inherited:
            del element["Pg"]
        elif page is not None:
            inherited = page
        if kind in _CONTENT_HOLDERS:
            flat, changed = [], False
            for kid in kids:
                child = element_of(kid)
                content = _plain_content(child, inherited) if child is not None else None
                if content is None:
                    flat.append(kid)
                    continue
                lifted[kid] = element.reference
                objects[child.number] = _drop(child)
                flat += content
                changed = True
            if changed:
                kids = flat
                element["K"] = pydyf.Array(kids)
        stack += [(kid, inherited) for kid in kids if not isinstance(kid, int)]
    if lifted:
        _point_parent_tree(resolve(root.get("ParentTree")), lifted)


def _drop(element) -> _Dropped:
    dropped = _Dropped()
    dropped.number, dropped.generation = element.number, element.generation
    return dropped


def _plain_content(element, page) -> list | None:
    """The marked-content ids of a Span or NonStruct that carries nothing but them (no attributes, no
    page other than its parent's, no alternative or actual text), else None."""
    if element["S"] not in _PLAIN_WRAPPERS or not _PLAIN_KEYS.issuperset(element):
        return None
    if "Pg" in element and element["Pg"] != page:
        return None
    content = element.get("K")
    if isinstance(content, list) and content and all(isinstance(item, int) for item in content):
        return list(content)
    return None


def _point_parent_tree(tree, lifted: dict[bytes, bytes]) -> None:
    """The parent tree names, for every marked content, its element: the parent of a lifted wrapper."""
    if tree is None:
        return

    def final(reference):
        while reference in lifted:
            reference = lifted[reference]
        return reference

    numbers = tree.get("Nums", [])
    for index in range(1, len(numbers), 2):
        value = numbers[index]
        if isinstance(value, list):
            numbers[index] = pydyf.Array(final(item) for item in value)
        elif value in lifted:
            numbers[index] = final(value)
