// Small enhancements for the pages; everything works without them (no-JS path) except the live view.
// Loaded as a file: the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";

  function updateCounter(textarea) {
    var counter = document.getElementById(textarea.id + "-counter");
    if (!counter) return;
    var max = parseInt(textarea.getAttribute("data-max-chars"), 10);
    var length = textarea.value.length;
    var count = counter.querySelector("[data-count]");
    if (count) count.textContent = length.toLocaleString("en-US");
    counter.classList.toggle("over-limit", max > 0 && length > max);
  }

  function setUp(root) {
    root.querySelectorAll("textarea[data-max-chars]").forEach(updateCounter);
    // The copy buttons need JavaScript, so they start hidden for the no-JS page.
    root.querySelectorAll("[data-copy-target][hidden]").forEach(function (button) {
      button.hidden = false;
    });
    root.querySelectorAll("[data-drop-hint][hidden]").forEach(function (hint) {
      hint.hidden = false;
    });
    root.querySelectorAll(".elapsed[data-elapsed]").forEach(function (el) {
      el.dataset.startedAt = String(performance.now() - parseFloat(el.dataset.elapsed || "0") * 1000);
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-max-chars]")) {
      updateCounter(event.target);
    }
  });

  // Elapsed seconds of live jobs: ticks locally between server events.
  window.setInterval(function () {
    document.querySelectorAll(".job-live .elapsed[data-started-at]").forEach(function (el) {
      var seconds = (performance.now() - parseFloat(el.dataset.startedAt)) / 1000;
      el.textContent = String(Math.floor(seconds));
    });
  }, 250);

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Fallback for plain-http hosts: a temporary textarea and execCommand.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(area);
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (!source) return;
    copyText(source.textContent).then(
      function () { if (status) status.textContent = "Copied to the clipboard."; },
      function () { if (status) status.textContent = "Could not copy: select the text and copy it by hand."; }
    );
  });

  // Focus: new result panels and the first field with an error, so keyboard and screen reader
  // users land where the news is. Only when focus is not somewhere the user put it.
  function focusIsFree() {
    var active = document.activeElement;
    return !active || active === document.body || !document.body.contains(active) ||
      (active.closest && active.closest(".job, #optimize-form"));
  }

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail.elt;
    if (!(elt instanceof Element)) return;
    setUp(elt);
    if (elt === document.body) return; // the first page load: leave focus to the browser
    if (elt.id === "optimize-form") {
      var invalid = elt.querySelector("[aria-invalid='true']");
      if (invalid) invalid.focus();
      return;
    }
    // A panel arrives on its own (stream swaps) or inside #job-area (out-of-band swap).
    var panel = elt.classList.contains("job") ? elt : elt.querySelector(".job");
    if (panel && focusIsFree()) {
      panel.focus({ preventScroll: true });
      // A new job scrolls to the top of its panel; a finished one stays where the reader is.
      if (panel.classList.contains("job-live")) panel.scrollIntoView({ block: "start" });
    }
  });

  // Drag and drop a resume file onto the upload field (the file input itself stays the form's
  // control, so the no-JS path and the server's checks are the same).
  function dropZone(target) {
    return target && target.closest ? target.closest(".field-resume_file") : null;
  }

  function showChosenFile(input) {
    var zone = dropZone(input);
    var status = zone && zone.querySelector("[data-drop-status]");
    if (!status) return;
    var file = input.files && input.files[0];
    status.textContent = file ? "Chosen: " + file.name + " (read when you press Optimize)" : "";
  }

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = dropZone(event.target);
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("drop-active");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = dropZone(event.target);
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("drop-active");
  });
  document.addEventListener("drop", function (event) {
    var zone = dropZone(event.target);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("drop-active");
    var input = zone.querySelector("input[type='file']");
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    showChosenFile(input);
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".field-resume_file input[type='file']")) {
      showChosenFile(event.target);
    }
  });

  // The applications board: dropping a card on another column presses that card's button for
  // the column, so a drag makes the very request the button (and the no-JS page) makes.
  var draggedCard = null;

  function boardColumn(target) {
    return target && target.closest ? target.closest("[data-board] [data-status]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    var card = event.target && event.target.closest ? event.target.closest("[data-card]") : null;
    if (!card) return;
    draggedCard = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
    card.classList.add("dragging");
  });
  document.addEventListener("dragend", function () {
    if (draggedCard) draggedCard.classList.remove("dragging");
    draggedCard = null;
    document.querySelectorAll(".board-column.drop-active").forEach(function (column) {
      column.classList.remove("drop-active");
    });
  });
  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var column = boardColumn(event.target);
      if (!column || !draggedCard) return;
      event.preventDefault(); // lets the card be dropped here
      column.classList.add("drop-active");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var column = boardColumn(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-active");
  });
  document.addEventListener("drop", function (event) {
    var column = boardColumn(event.target);
    if (!column || !draggedCard) return;
    event.preventDefault();
    column.classList.remove("drop-active");
    var button = draggedCard.querySelector('[data-move-to="' + column.dataset.status + '"]');
    if (button) button.click(); // none: dropped on its own column
  });

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
})();
