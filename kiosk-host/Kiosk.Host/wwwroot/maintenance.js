// Maintenance console: component states from /api/status, refreshed by events and every 5 s. No personal data.
(function () {
  "use strict";
  const names = {
    broker: "MQTT broker", firmware: "Firmware (MCU)", reader: "Đầu đọc thẻ / card reader",
    fingerprint: "Vân tay / fingerprint", printer: "Máy in / printer", portal: "Cổng dịch vụ công / portal"
  };
  const printerVi = { "paper-out": "Hết giấy (paper out)", "cover-open": "Nắp mở (cover open)", "near-end": "Sắp hết giấy (paper near end)" };
  const good = ["connected", "online", "ok", "reachable", "near-end"];
  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  async function load() {
    try {
      const s = await (await fetch("/api/status", { cache: "no-store" })).json();
      document.getElementById("kiosk").textContent = s.kioskId;
      document.getElementById("components").innerHTML = Object.keys(s.components).map((k) => {
        const v = s.components[k];
        const label = k === "printer" && printerVi[v] ? printerVi[v] : v;
        return `<tr><th>${esc(names[k] || k)}</th><td class="${good.includes(v) ? "" : "error"}">${esc(label)}</td></tr>`;
      }).join("");
      document.getElementById("queue").textContent = `Chờ gửi / pending: ${s.queue.pending} — cũ nhất / oldest: ${s.queue.oldestPendingSeconds} s`;
      document.getElementById("sync").textContent = `Lần gửi cuối / last success: ${s.sync.lastSuccessAt || "—"}; lỗi cuối / last error: ${s.sync.lastError || "—"}`;
      document.getElementById("version").textContent = `host ${s.version}, firmware ${s.firmwareVersion || "?"}`;
    } catch (e) {
      document.getElementById("kiosk").textContent = "Host không phản hồi / host not reachable";
    }
  }
  const events = new EventSource("/api/events");
  ["printer", "device", "card"].forEach((n) => events.addEventListener(n, load));
  setInterval(load, 5000);
  load();
})();
