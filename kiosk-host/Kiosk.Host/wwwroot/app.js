// Residents' page: one page that moves through the steps of /api/session. No personal data is stored in the browser.
(function () {
  "use strict";
  const T = {
    vi: {
      appTitle: "Kiosk dịch vụ công", welcome: "Xin chào",
      welcomeText: "Thông báo lưu trú với Công an phường bằng thẻ căn cước gắn chip.",
      start: "Bắt đầu: Thông báo lưu trú", consentTitle: "Đồng ý đọc thông tin trên thẻ",
      consentText: "Kiosk sẽ đọc dữ liệu trong chip của thẻ căn cước (họ tên, số định danh, ngày sinh, nơi cư trú…) chỉ để lập hồ sơ thông báo lưu trú này. Dữ liệu được xoá khỏi màn hình khi bạn rút thẻ hoặc kết thúc.",
      agree: "Tôi đồng ý", decline: "Không đồng ý", placeCard: "Vui lòng đặt thẻ căn cước lên đầu đọc",
      reading: "Đang đọc thẻ… Vui lòng không rút thẻ.", formTitle: "Thông báo lưu trú",
      addressLine: "Số nhà, đường phố (ngõ, ngách, tổ dân phố)", province: "Tỉnh/thành phố", ward: "Phường/xã",
      fromDate: "Từ ngày", toDate: "Đến ngày", reason: "Lý do lưu trú", submit: "Gửi thông báo", cancel: "Huỷ",
      submitting: "Đang gửi hồ sơ…", doneTitle: "Đã ghi nhận hồ sơ", removeCard: "Vui lòng rút thẻ và nhận biên nhận.",
      finish: "Kết thúc", choose: "— Chọn —", code: "Mã hồ sơ: ", pending: "Đã ghi nhận tại kiosk, chờ gửi. Số tham chiếu: ",
      readError: "Không đọc được thẻ. Vui lòng đặt lại thẻ và giữ yên.", other: "English",
      fullName: "Họ và tên", idNumber: "Số định danh", dob: "Ngày sinh", sex: "Giới tính", residence: "Nơi thường trú",
      deadline: "Hạn thông báo: "
    },
    en: {
      appTitle: "Public service kiosk", welcome: "Welcome",
      welcomeText: "Notify the ward police of a stay, using your chip ID card.",
      start: "Start: residence notification", consentTitle: "Consent to reading your card",
      consentText: "The kiosk reads the data on your ID card chip (name, ID number, date of birth, residence…) only to prepare this residence notification. It is cleared from the screen when you remove the card or finish.",
      agree: "I agree", decline: "I do not agree", placeCard: "Please place your ID card on the reader",
      reading: "Reading the card… Please do not remove it.", formTitle: "Residence notification",
      addressLine: "House number and street", province: "Province / city", ward: "Ward / commune",
      fromDate: "From", toDate: "To", reason: "Reason for the stay", submit: "Send notification", cancel: "Cancel",
      submitting: "Sending…", doneTitle: "Filing recorded", removeCard: "Please remove your card and take the receipt.",
      finish: "Finish", choose: "— Choose —", code: "Dossier code: ", pending: "Recorded at the kiosk, waiting to be sent. Reference: ",
      readError: "The card could not be read. Please place it again and hold it still.", other: "Tiếng Việt",
      fullName: "Full name", idNumber: "ID number", dob: "Date of birth", sex: "Sex", residence: "Residence",
      deadline: "Deadline: "
    }
  };
  let lang = "vi";
  let places = [];
  let last = null;

  const $ = (id) => document.getElementById(id);
  const t = (k) => T[lang][k] || k;

  async function api(method, path, body) {
    const res = await fetch(path, {
      method, cache: "no-store",
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined
    });
    const data = await res.json().catch(() => ({}));
    return { status: res.status, data };
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    $("lang").textContent = t("other");
    if (last) render(last);
  }

  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function fmtDate(iso) { if (!iso) return ""; const [y, m, d] = iso.split("-"); return `${d}/${m}/${y}`; }

  function render(s) {
    last = s;
    document.querySelectorAll(".step").forEach((el) => { el.hidden = el.id !== "step-" + s.step; });
    const err = $("read-error");
    err.hidden = !s.readError; err.textContent = s.readError ? t("readError") : "";
    if (s.step === "form" && s.identity) {
      const i = s.identity;
      $("identity").innerHTML = `<dl><dt>${t("fullName")}</dt><dd>${esc(i.fullName)}</dd><dt>${t("idNumber")}</dt><dd>${esc(i.idNumber)}</dd>` +
        `<dt>${t("dob")}</dt><dd>${esc(fmtDate(i.dateOfBirth))}</dd><dt>${t("sex")}</dt><dd>${esc(i.sex)}</dd>` +
        `<dt>${t("residence")}</dt><dd>${esc(i.placeOfResidence)}</dd></dl>`;
      $("deadline-rule").textContent = lang === "en" ? s.deadlineRuleEn : s.deadlineRuleVi;
    } else if (s.step !== "form") {
      $("identity").innerHTML = "";
    }
    if (s.step === "done" && s.result) {
      const r = s.result;
      $("done-code").textContent = r.dossierCode ? t("code") + r.dossierCode : t("pending") + r.localReference;
      $("done-print").textContent = lang === "en" ? r.printMessageEn : r.printMessageVi;
    }
  }

  async function refresh() { const r = await api("GET", "/api/session"); render(r.data); }

  function fillProvinces() {
    const sel = $("provinceCode");
    sel.innerHTML = `<option value="">${t("choose")}</option>` + places.map((p) => `<option value="${p.code}">${esc(p.name)}</option>`).join("");
    fillWards();
  }
  function fillWards() {
    const p = places.find((x) => String(x.code) === $("provinceCode").value);
    $("wardCode").innerHTML = `<option value="">${t("choose")}</option>` + (p ? p.wards.map((w) => `<option value="${w.code}">${esc(w.name)}</option>`).join("") : "");
  }

  function clearForm() { $("form").reset(); document.querySelectorAll("[data-error]").forEach((e) => { e.textContent = ""; }); }

  $("lang").addEventListener("click", () => { lang = lang === "vi" ? "en" : "vi"; applyLanguage(); fillProvinces(); });
  $("btn-start").addEventListener("click", async () => { clearForm(); render((await api("POST", "/api/session/start", { language: lang })).data); });
  $("btn-consent").addEventListener("click", async () => { render((await api("POST", "/api/session/consent", { accepted: true })).data); });
  $("btn-decline").addEventListener("click", async () => { render((await api("POST", "/api/session/consent", { accepted: false })).data); });
  document.querySelectorAll(".btn-end").forEach((b) => b.addEventListener("click", async () => { clearForm(); render((await api("POST", "/api/session/end")).data); }));
  $("provinceCode").addEventListener("change", fillWards);
  $("form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = e.target;
    const body = {
      addressLine: f.addressLine.value, provinceCode: f.provinceCode.value ? Number(f.provinceCode.value) : null,
      wardCode: f.wardCode.value ? Number(f.wardCode.value) : null, fromDate: f.fromDate.value || null,
      toDate: f.toDate.value || null, reason: f.reason.value
    };
    document.querySelectorAll("[data-error]").forEach((el) => { el.textContent = ""; });
    const r = await api("POST", "/api/session/submit", body);
    if (r.status === 400) {
      const errs = lang === "en" ? r.data.errorsEn : r.data.errors;
      Object.keys(errs || {}).forEach((k) => { const el = document.querySelector(`[data-error="${k}"]`); if (el) el.textContent = errs[k]; });
      return;
    }
    if (r.status === 200) { clearForm(); render(r.data); } else { refresh(); }
  });
  document.addEventListener("pointerdown", () => { if (last && last.active) fetch("/api/session/touch", { method: "POST" }); });

  const events = new EventSource("/api/events");
  events.addEventListener("session", (e) => { const d = JSON.parse(e.data); if (!d.active) clearForm(); refresh(); });
  events.addEventListener("card", refresh);

  api("GET", "/api/places").then((r) => { places = r.data || []; fillProvinces(); });
  applyLanguage();
  refresh();
})();
