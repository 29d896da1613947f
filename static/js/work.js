// Work plan: in the pipeline step form, show only the fields of the step chosen (internship,
// hiring, not selected). Without JavaScript every field stays visible and the service ignores
// the fields of the other steps.
(function () {
  "use strict";
  var form = document.getElementById("step-form");
  if (!form) {
    return;
  }
  var select = form.querySelector("select[name='to_status']");
  var steps = form.querySelectorAll(".work-step");
  function update() {
    steps.forEach(function (fieldset) {
      var shown = fieldset.getAttribute("data-step") === select.value;
      fieldset.hidden = !shown;
      fieldset.disabled = !shown;
    });
  }
  select.addEventListener("change", update);
  update();
})();
