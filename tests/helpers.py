"""Small helpers shared by page tests."""

import re
from html import unescape


def page_text(response) -> str:
    """The response as a reader sees it: tags removed, white space collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(html).split())
