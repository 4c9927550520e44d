// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Bring the error summary into view and announce it, so keyboard and screen-reader users
  // start where the problems are listed.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();

  // Clicking an error-summary link moves focus to the control itself, not just scrolls.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a");
    if (!link) return;
    var target = document.querySelector(link.getAttribute("href"));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    }
  });

  // A second click while the first submission is on its way does nothing: the server already
  // guarantees one application, this spares the resident a confusing wait.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-prevent-double-submit")) return;
    if (button.getAttribute("aria-disabled") === "true") {
      event.preventDefault();
      return;
    }
    button.setAttribute("aria-disabled", "true");
    window.setTimeout(function () { button.removeAttribute("aria-disabled"); }, 5000);
  });
})();
