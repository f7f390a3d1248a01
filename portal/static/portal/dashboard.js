// "Save as PNG": draws a chart's SVG onto a canvas at twice its size and downloads the result.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-save-png]");
  if (!button) return;
  var svg = document.getElementById(button.dataset.savePng).querySelector("svg");
  var box = svg.viewBox.baseVal;
  var xml = new XMLSerializer().serializeToString(svg);
  var url = URL.createObjectURL(new Blob([xml], { type: "image/svg+xml;charset=utf-8" }));
  var image = new Image();
  image.onload = function () {
    var canvas = document.createElement("canvas");
    canvas.width = box.width * 2;
    canvas.height = box.height * 2;
    var context = canvas.getContext("2d");
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    URL.revokeObjectURL(url);
    canvas.toBlob(function (blob) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = button.dataset.filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
    }, "image/png");
  };
  image.src = url;
});
