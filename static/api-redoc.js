// Starts ReDoc on the API's documentation page (templates/drf_spectacular/
// redoc.html) under the Content-Security-Policy, which allows no inline
// style: only <style> elements that carry the page's nonce. Loaded just
// before ReDoc's bundle, with that nonce.
//
// ReDoc writes styles into <style> elements twice: as its bundle loads,
// before it can be told the nonce (so, for as long as the bundle loads, each
// <style> element made gets it here), and once started, with the nonce it
// is given in its options.
const script = document.currentScript;
const nonce = script.nonce;
const createElement = document.createElement;

document.createElement = function (...args) {
  const element = createElement.apply(this, args);
  if (element instanceof HTMLStyleElement) {
    element.nonce = nonce;
  }
  return element;
};

document.addEventListener("DOMContentLoaded", () => {
  document.createElement = createElement;
  const settings = script.dataset.settings ? JSON.parse(script.dataset.settings) : {};
  window.Redoc.init(
    script.dataset.schemaUrl,
    { ...settings, nonce },
    document.getElementById("redoc-container"),
  );
});
