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

// A choose box (templates/includes/choose.html: a person chosen by name)
// becomes GOV.UK's accessible autocomplete, its suggestions fetched from the
// box's data-source as the person types. Without JavaScript, or if the
// script fails to load, the box stays a text box and the server finds whom
// it names (asking to choose when several match). The script is loaded only
// on pages that have a choose box.
const choosers = document.querySelectorAll('[data-module="app-choose"]');
if (choosers.length) {
  import("./dist/accessible-autocomplete.min.js")
    .then(() => {
      for (const chooser of choosers) {
        enhanceChooser(chooser, window.accessibleAutocomplete);
      }
    })
    .catch(() => {
      // The plain box still works.
    });
}

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function enhanceChooser(chooser, accessibleAutocomplete) {
  const input = chooser.querySelector("input");
  if (!input || !accessibleAutocomplete) {
    return;
  }
  const { id, name, value } = input;
  // The label's hint and error, which the autocomplete's own input would
  // otherwise lose (it sets aria-describedby to its own instructions only).
  const descriptions = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  const hasError = input.classList.contains("govuk-input--error");
  let pending = null;
  const source = (query, populateResults) => {
    pending?.abort();
    pending = new AbortController();
    const url = new URL(chooser.dataset.source, window.location.href);
    url.searchParams.set("q", query);
    fetch(url, {
      signal: pending.signal,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((body) => populateResults(body.results || []))
      .catch((error) => {
        if (error.name !== "AbortError") {
          populateResults([]);
        }
      });
  };
  input.remove();
  accessibleAutocomplete({
    element: chooser,
    id,
    name,
    defaultValue: value,
    source,
    minLength: 2,
    confirmOnBlur: false,
    showNoOptionsFound: true,
    inputClasses: hasError ? "govuk-input--error" : null,
    tNoResults: () => "No one found: check the spelling, or type their employee id",
    templates: {
      inputValue: (person) => (person ? person.value : ""),
      suggestion: (person) =>
        typeof person === "string"
          ? escapeHtml(person)
          : `${escapeHtml(person.name)}<span class="app-choose__suggestion-hint">${escapeHtml(person.hint)}</span>`,
    },
  });
  const enhanced = document.getElementById(id);
  if (enhanced && descriptions.length) {
    keepDescriptions(enhanced, descriptions);
  }
}

function keepDescriptions(input, ids) {
  const apply = () => {
    const current = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    const wanted = [...ids, ...current.filter((id) => !ids.includes(id))].join(" ");
    if (input.getAttribute("aria-describedby") !== wanted) {
      input.setAttribute("aria-describedby", wanted);
    }
  };
  new MutationObserver(apply).observe(input, {
    attributes: true,
    attributeFilter: ["aria-describedby"],
  });
  apply();
}

// A background job's page (templates/competency/job.html) while the job
// runs: read the page again every few seconds and update its status and
// progress bar in place (the status is a polite live region). Once the job
// has finished, say so and offer the result as a link: the page never
// reloads itself, so nobody loses their place or has it change on a timer.
// Without JavaScript the page has a "Check progress" link.
const jobProgress = document.querySelector('[data-module="app-job-progress"]');
if (jobProgress) {
  const seconds = Number(jobProgress.dataset.pollSeconds) || 3;
  const status = jobProgress.querySelector("[data-job-status]");
  const check = jobProgress.querySelector("[data-job-check]");
  const poll = async () => {
    let next;
    try {
      const response = await fetch(window.location.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) throw new Error(String(response.status));
      next = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      window.setTimeout(poll, seconds * 1000 * 2);
      return;
    }
    const running = next.querySelector('[data-module="app-job-progress"]');
    if (!running) {
      status.textContent = "Finished.";
      check.textContent = "See the result";
      return;
    }
    status.textContent = running.querySelector("[data-job-status]").textContent;
    const bar = jobProgress.querySelector("[data-job-progress]");
    const nextBar = running.querySelector("[data-job-progress]");
    if (nextBar && bar) {
      bar.max = nextBar.max;
      bar.value = nextBar.value;
      bar.textContent = nextBar.textContent;
    } else if (nextBar) {
      status.after(nextBar);
    }
    window.setTimeout(poll, seconds * 1000);
  };
  window.setTimeout(poll, seconds * 1000);
}
