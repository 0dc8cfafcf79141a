// GOV.UK Frontend start-up, as a static file so the Content-Security-Policy needs no inline script.
// Loaded by a blocking classic <script> right after <body>: the classes are set before the page is
// drawn (no flash of the no-JavaScript layout); the components start once the page is parsed.
(function () {
  var supported = "noModule" in HTMLScriptElement.prototype;
  document.body.className += " js-enabled" + (supported ? " govuk-frontend-supported" : "");
  if (!supported) return;
  var frontend = new URL("../govuk/govuk-frontend.min.js", document.currentScript.src).href;
  document.addEventListener("DOMContentLoaded", function () {
    import(frontend).then(function (govuk) {
      govuk.initAll();
    });
  });
})();
