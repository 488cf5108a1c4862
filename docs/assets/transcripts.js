// Folded transcript output: the page carries every line; this hides the middle of a long output
// behind a button that shows it. Without this script, the whole output stays visible.
function foldTranscripts() {
  for (const button of document.querySelectorAll("button.uvg-unfold:not([data-ready])")) {
    const fold = document.getElementById(button.getAttribute("aria-controls"));
    if (!fold) continue;
    const label = button.textContent;
    button.dataset.ready = "true";
    const show = (open) => {
      fold.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "Show fewer lines" : label;
    };
    button.addEventListener("click", () => show(button.getAttribute("aria-expanded") !== "true"));
    show(false);
    button.hidden = false;
  }
  // The browser tests wait for this, not for the network to go quiet.
  document.documentElement.dataset.transcripts = "ready";
}

// Material replaces the page on navigation without reloading; `document$` says when.
if (window.document$) {
  window.document$.subscribe(foldTranscripts);
} else {
  document.addEventListener("DOMContentLoaded", foldTranscripts);
}
