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

  // 「住所を検索」 without leaving the page: ask the API and fill the address. Without
  // JavaScript (or if the request fails) the button submits the form and the server fills it.
  function lookupAddress(button, announce) {
    var input = document.getElementById(button.getAttribute("data-postal-lookup"));
    var target = document.getElementById(button.getAttribute("data-address-target"));
    if (!input || !target || !window.fetch) return Promise.reject();
    return fetch("/api/v1/postal-codes/" + encodeURIComponent(input.value.trim()), { headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : Promise.reject(); })
      .then(function (body) {
        var area = body.areas[0];
        target.value = area.prefecture + area.city + area.town;
        if (announce) announce.textContent = button.getAttribute("data-filled-message") || "";
        target.focus();
        target.setSelectionRange(target.value.length, target.value.length);
      });
  }
  document.querySelectorAll("[data-postal-lookup]").forEach(function (button) {
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    button.parentNode.appendChild(live);
    button.addEventListener("click", function (event) {
      event.preventDefault();
      lookupAddress(button, live).catch(function () {
        button.form.requestSubmit(button);
      });
    });
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

  // The counter screen while the card agent reads: ask every second where the read stands
  // (a small answer, with nothing of the resident) and show the page again once it moves on,
  // so that staff need not press 「最新の状態を見る」. Without JavaScript the link does the same.
  var waiting = document.querySelector("[data-card-state-url]");
  if (waiting) {
    var polls = 0;
    var poll = function () {
      if (++polls > 180) return;
      fetch(waiting.getAttribute("data-card-state-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (body && body.state !== waiting.getAttribute("data-card-state")) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 1000);
  }

  // The counter's sheets: a print button where the browser can print from a script; without
  // JavaScript, the browser's own print does the same.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
