// Pacts: in the forms that ask "where" (a commitment) or "who signs" (a community actor), show
// only the list that matches the choice. Without JavaScript every list stays visible and the
// server still checks that the matching one is filled in.
(function () {
  "use strict";
  var groups = {
    where: { place: "place", group: "group", activity: "activity" },
    kind: { place: "place", group: "group", partner: "organisation" },
  };
  function fieldOf(name) {
    var input = document.getElementById("id_" + name);
    return input ? input.closest(".trama-field") : null;
  }
  Object.keys(groups).forEach(function (radioName) {
    var radios = document.querySelectorAll('input[type="radio"][name="' + radioName + '"]');
    if (!radios.length) {
      return;
    }
    var targets = groups[radioName];
    function update() {
      var chosen = document.querySelector('input[type="radio"][name="' + radioName + '"]:checked');
      Object.keys(targets).forEach(function (value) {
        var field = fieldOf(targets[value]);
        if (field) {
          field.hidden = Boolean(chosen) && chosen.value !== value;
        }
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });
})();
