// Live send progress on the console's issue page: poll the counts once a second.
(function () {
  "use strict";
  var table = document.getElementById("sends");
  if (!table) return;
  var url = table.getAttribute("data-progress");
  var states = ["queued", "sent", "deferred", "failed"];

  function row(send) {
    var tr = table.querySelector('tr[data-send="' + send.id + '"]');
    if (tr) return tr;
    var empty = table.querySelector("td[colspan]");
    if (empty) empty.parentNode.remove();
    tr = document.createElement("tr");
    tr.setAttribute("data-send", send.id);
    var cells = [String(send.id), ""].concat(states.map(function () { return ""; }));
    cells.forEach(function (text, i) {
      var td = document.createElement("td");
      td.textContent = text;
      if (i >= 2) td.setAttribute("data-count", states[i - 2]);
      tr.appendChild(td);
    });
    table.appendChild(tr);
    return tr;
  }

  function update() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.sends.forEach(function (send) {
          var tr = row(send);
          tr.children[1].textContent = send.cadence + " · " + send.status;
          states.forEach(function (s) {
            tr.querySelector('[data-count="' + s + '"]').textContent = send.counts[s];
          });
        });
      })
      .catch(function () {})
      .finally(function () { setTimeout(update, 1000); });
  }
  setTimeout(update, 1000);
})();
