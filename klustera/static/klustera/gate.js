// Guard mode: a device id for the lock-out, camera scanning, and a fresh input after each answer.
(function () {
  "use strict";
  var form = document.getElementById("check");
  var input = document.getElementById("payload");
  var video = document.getElementById("camera");
  var scanButton = document.getElementById("scan");
  var cameraError = document.getElementById("camera-error");
  var stream = null;

  var device = localStorage.getItem("klustera-gate-device");
  if (!device) {
    device = Math.random().toString(36).slice(2) + Date.now().toString(36);
    localStorage.setItem("klustera-gate-device", device);
  }
  document.getElementById("device").value = device;

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "answer") {
      input.value = "";
      input.focus();
    }
  });

  function stopCamera() {
    if (stream)
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    stream = null;
    video.hidden = true;
  }

  function found(text) {
    stopCamera();
    input.value = text;
    form.requestSubmit();
  }

  function loadDecoder() {
    // Browsers without BarcodeDetector get the vendored jsQR, loaded only then.
    return new Promise(function (resolve, reject) {
      if (window.jsQR) return resolve(window.jsQR);
      var script = document.createElement("script");
      script.src = scanButton.dataset.decoder;
      script.onload = function () {
        resolve(window.jsQR);
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function detector() {
    if ("BarcodeDetector" in window) {
      var native = new window.BarcodeDetector({ formats: ["qr_code"] });
      return Promise.resolve(function () {
        return native.detect(video).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      });
    }
    return loadDecoder().then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        if (!canvas.width) return Promise.resolve(null);
        context.drawImage(video, 0, 0);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = jsQR(image.data, image.width, image.height);
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  scanButton.addEventListener("click", function () {
    if (stream) return stopCamera();
    cameraError.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraError.hidden = false;
      return;
    }
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        return video.play().then(detector);
      })
      .then(function (detect) {
        (function tick() {
          if (!stream) return;
          detect().then(
            function (text) {
              if (text) found(text);
              else setTimeout(tick, 200);
            },
            function () {
              setTimeout(tick, 200);
            },
          );
        })();
      })
      .catch(function () {
        stopCamera();
        cameraError.hidden = false;
      });
  });
})();
