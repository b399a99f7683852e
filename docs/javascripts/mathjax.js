// MathJax configuration for pymdownx.arithmatex (generic mode), as mkdocs-material documents it.
// MathJax itself is vendored (javascripts/vendor/) so that pages render math without a CDN.
//
// Math on this site can come from a note's outputs, which are untrusted: the TeX commands that
// reach the page's DOM (links, classes, styles, ids, fonts, attributes, loading extensions) are
// switched off here as a second wall behind the renderer's own check (rendering/cleaners.py).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    packages: { "[-]": ["require"] },            // no \require{...}: no extension loaded by a formula
    autoload: { html: [], unicode: [] },          // no \href, \class, \style, \cssId, \unicode
    macros: { mmlToken: "", require: "" }         // \mmlToken sets attributes (href, style) on a node
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex"
  }
};

document$.subscribe(() => {
  if (window.MathJax && MathJax.typesetPromise) {
    MathJax.startup.output.clearFontCache();  // MathJax 4 (3 called it clearCache)
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise();
  }
});
