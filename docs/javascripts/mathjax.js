// MathJax configuration for pymdownx.arithmatex (generic mode), as mkdocs-material documents it.
// MathJax itself is vendored (javascripts/vendor/) so that pages render math without a CDN.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true
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
