// Marks the body as soon as it opens, before anything is drawn, so GOV.UK
// Frontend's styles for JavaScript (and its components' initAll, which looks
// for govuk-frontend-supported) apply from the first paint. A classic script
// loaded from the site rather than inline, so the Content-Security-Policy
// needs no 'unsafe-inline', hash or nonce for it (base.html loads it first
// thing in <body>; it is small and cached).
document.body.className +=
  " js-enabled" +
  ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
