// The guard's and the staff's forms carry the phone's position when it allows: asked once
// when the page opens, put into each form marked data-position. Without it, the forms still
// work; the server then stores the scan or the shift without a position.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-position]");
  if (!forms.length || !("geolocation" in navigator)) return;
  navigator.geolocation.getCurrentPosition(
    function (position) {
      forms.forEach(function (form) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.accuracy.value = Math.round(position.coords.accuracy);
      });
    },
    function () {},
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
  );
})();
