// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "./dist/govuk-frontend.min.js";

initAll();

// A table wrapper (.app-table-wrapper) scrolls sideways when its table is
// wider than the page. Keyboard users can scroll it only if it takes the
// focus, but a tab stop that does nothing is a nuisance: so it is one only
// while it scrolls, checked again whenever the wrapper or its table changes
// size (a turned phone, a zoomed page). Without JavaScript no wrapper is a tab
// stop: on small screens tables stack instead of scrolling (app.scss).
function tabStopWhileScrolling(wrapper) {
  const scrolls = wrapper.scrollWidth > wrapper.clientWidth;
  if (scrolls && wrapper.getAttribute("tabindex") !== "0") {
    wrapper.setAttribute("tabindex", "0");
  } else if (!scrolls && wrapper.hasAttribute("tabindex")) {
    wrapper.removeAttribute("tabindex");
  }
}

const wrappers = document.querySelectorAll(".app-table-wrapper");
if (wrappers.length && "ResizeObserver" in window) {
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      tabStopWhileScrolling(entry.target.closest(".app-table-wrapper"));
    }
  });
  for (const wrapper of wrappers) {
    observer.observe(wrapper);
    for (const table of wrapper.querySelectorAll(":scope > table")) {
      observer.observe(table);
    }
  }
}
