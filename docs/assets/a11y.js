// Material's search dialog has no accessible name; screen readers announce it as "dialog".
// With instant navigation the header persists, so labelling it once per full load is enough.
document.querySelector(".md-search")?.setAttribute("aria-label", "Search the guide");
