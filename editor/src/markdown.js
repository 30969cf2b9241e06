// Stands in for codemirror-json-schema's markdown renderer: the case schema's descriptions
// are plain text, so they are shown escaped, without a syntax highlighter in the bundle.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function renderMarkdown(markdown) {
  const text = String(markdown ?? "").replace(/[&<>"']/g, (character) => ESCAPES[character]);
  return text.replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\n\n+/g, "<br><br>");
}
