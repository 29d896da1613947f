/*
 * Trama: the lab's check-in sheet and tally grid on a tablet or phone. Progressive enhancement:
 * without JavaScript the sheet is a plain list of checkboxes and the tally a grid of numbers,
 * both saved by their button; with it, the list can be searched by name and the ticked people
 * and the tally's total are counted as they change. No inline script (strict CSP).
 */
(function () {
  "use strict";

  function fold(text) {
    // "Nicolò" is found by typing "nicolo": compare without accents and case.
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function setUpSearch() {
    var wrapper = document.querySelector("[data-checkin-search-wrapper]");
    var input = document.querySelector("[data-checkin-search]");
    var rows = Array.prototype.slice.call(document.querySelectorAll("[data-checkin-row]"));
    var noMatch = document.querySelector("[data-checkin-no-match]");
    if (!wrapper || !input || rows.length === 0) { return; }
    var names = rows.map(function (row) { return fold(row.getAttribute("data-name") || ""); });
    wrapper.hidden = false;
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row, index) {
        var match = words.every(function (word) { return names[index].indexOf(word) !== -1; });
        row.hidden = !match;  // a hidden row keeps its tick: filtering never changes who is present
        if (match) { shown += 1; }
      });
      if (noMatch) { noMatch.hidden = shown > 0; }
    });
  }

  function setUpTicked() {
    var output = document.querySelector("[data-checkin-ticked]");
    var form = document.getElementById("checkin-form");
    if (!output || !form) { return; }
    function count() {
      output.textContent = String(form.querySelectorAll("input[name='present']:checked").length);
    }
    form.addEventListener("change", count);
    count();
  }

  function setUpTally() {
    var inputs = Array.prototype.slice.call(document.querySelectorAll("[data-tally-input]"));
    var live = document.querySelector("[data-tally-live]");
    var total = document.querySelector("[data-tally-total]");
    var minors = document.querySelector("[data-tally-minors]");
    if (inputs.length === 0 || !live || !total || !minors) { return; }
    function value(input) {
      var number = Number(input.value);
      return input.value !== "" && Number.isInteger(number) && number > 0 ? number : 0;
    }
    function sum() {
      var all = 0;
      var young = 0;
      inputs.forEach(function (input) {
        var people = value(input);
        all += people;
        if (input.hasAttribute("data-minor")) { young += people; }
      });
      total.textContent = String(all);
      minors.textContent = String(young);
    }
    inputs.forEach(function (input) { input.addEventListener("input", sum); });
    live.hidden = false;
    sum();
  }

  setUpSearch();
  setUpTicked();
  setUpTally();
})();
