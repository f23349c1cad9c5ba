using System.Text.Json;
using System.Text.RegularExpressions;
using Kiosk.Host.Filing;
using Kiosk.Host.Store;

namespace Kiosk.Host.Tests.Filing;

/// <summary>
/// Every resident-facing text is in the resource files wwwroot/i18n/vi.json and en.json: every key the server
/// (Filing/, Web/) or the page (index.html, app.js) uses exists in both languages, with the same placeholders.
/// </summary>
public sealed partial class MessageKeysTests
{
    private static readonly string Root = FindRoot();
    private static readonly string HostFolder = Path.Combine(Root, "kiosk-host", "Kiosk.Host");

    private static Dictionary<string, string> Resource(string language) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(HostFolder, "wwwroot", "i18n", language + ".json")))!;

    [Fact]
    public void Both_languages_have_the_same_keys_non_empty_texts_and_the_same_placeholders()
    {
        var vi = Resource("vi");
        var en = Resource("en");
        Assert.Empty(vi.Keys.Except(en.Keys));
        Assert.Empty(en.Keys.Except(vi.Keys));
        foreach (var (key, text) in vi)
        {
            Assert.False(string.IsNullOrWhiteSpace(text), "vi: " + key);
            Assert.False(string.IsNullOrWhiteSpace(en[key]), "en: " + key);
            Assert.Equal(Placeholders(text), Placeholders(en[key]));
        }
    }

    [Fact]
    public void Every_key_the_server_uses_exists_in_both_languages()
    {
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(HostFolder, "Filing"), "*.cs").Concat(Directory.GetFiles(Path.Combine(HostFolder, "Web"), "*.cs")))
            foreach (Match m in ServerKey().Matches(File.ReadAllText(file)))
                used.Add(m.Groups[1].Value);
        foreach (var outcome in Enum.GetValues<PrintOutcome>()) used.Add(FilingService.Describe(outcome).Key);
        foreach (var key in ProofDocuments.Permanent.Values.Concat(ProofDocuments.PermanentConditions.Values)) used.Add(key);
        // The service catalogue (titles, times, fees) and the portal status words.
        foreach (var s in Services.All) used.UnionWith(["svc." + s.Procedure, "svc." + s.Procedure + ".time", "svc." + s.Procedure + ".fee"]);
        foreach (var s in DossierStatuses.All) used.Add(s.Key);
        used.Add(DossierStatuses.Describe(99).Key);
        Assert.Contains("err.phone.invalid", used);
        Assert.Contains("deadline.rule", used);
        Assert.Contains("vneid.faceImageNote", used);
        Assert.Contains("consent.purpose.chip", used);
        Assert.Contains("consent.purpose.fingerprint", used);
        Assert.Contains("dossierStatus.10", used);
        Assert.Contains("dossierStatus.unknown", used);
        Assert.Contains("lookup.notFound", used);
        Assert.True(used.Count > 60, $"only {used.Count} keys found");
        AssertInBoth(used);
    }

    [Fact]
    public void Every_key_the_page_uses_exists_in_both_languages()
    {
        var html = File.ReadAllText(Path.Combine(HostFolder, "wwwroot", "index.html"));
        var js = File.ReadAllText(Path.Combine(HostFolder, "wwwroot", "app.js"));
        var used = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in DataI18n().Matches(html)) used.Add(m.Groups[1].Value);
        foreach (Match m in PageKey().Matches(js)) used.Add(m.Groups[1].Value);
        var prompts = js[js.IndexOf("const PROMPTS", StringComparison.Ordinal)..];
        foreach (Match m in PromptKey().Matches(prompts[..prompts.IndexOf('}')])) used.Add(m.Groups[1].Value);
        // Keys the page builds from codes.
        foreach (var s in Services.All) used.Add("svc." + s.Procedure);
        foreach (var r in ProofDocuments.Relationships) used.Add("rel." + r);
        foreach (var c in ProofDocuments.LawfulResidence.Keys.Concat(ProofDocuments.Permanent.Keys)) used.Add("doc." + c);
        foreach (var c in ProofDocuments.PermanentConditions.Keys) used.Add("cond." + c);
        foreach (var code in new[] { "printed", "paper-out", "cover-open", "error", "unavailable" }) used.Add("print." + code);
        used.UnionWith(["sex.Nam", "sex.Nữ", "doc.id", "doc.cmnd", "doc.passport"]);
        Assert.Contains("errorSummary", used);
        Assert.Contains("idleText", used);
        AssertInBoth(used);
    }

    [Fact]
    public void The_server_reads_its_texts_from_the_resource_files()
    {
        var vi = Resource("vi");
        var en = Resource("en");
        var error = new FieldError("err.phone.invalid");
        Assert.Equal(vi["err.phone.invalid"], error.Vi);
        Assert.Equal(en["err.phone.invalid"], error.En);
        var tooLong = new FieldError("err.tooLong", 100);
        Assert.Equal(vi["err.tooLong"].Replace("{n}", "100"), tooLong.Vi);
        Assert.Contains("100", tooLong.En);
        Assert.Equal(en["print.paper-out"], FilingService.Describe(PrintOutcome.PaperOut).En);
    }

    [Fact]
    public void The_catalogue_deadline_rule_face_note_consent_purposes_and_status_words_come_from_the_resource_files()
    {
        var vi = Resource("vi");
        var en = Resource("en");
        Assert.Equal(5, Services.All.Count);
        foreach (var s in Services.All)
        {
            Assert.Equal(vi["svc." + s.Procedure], s.TitleVi);
            Assert.Equal(en["svc." + s.Procedure], s.TitleEn);
            Assert.Equal(vi["svc." + s.Procedure + ".time"], s.TimeVi);
            Assert.Equal(en["svc." + s.Procedure + ".time"], s.TimeEn);
            Assert.Equal(vi["svc." + s.Procedure + ".fee"], s.FeeVi);
            Assert.Equal(en["svc." + s.Procedure + ".fee"], s.FeeEn);
            Assert.Equal(vi["consent.purpose.chip"].Replace("{title}", s.TitleVi), SessionManager.ChipPurpose(s.Procedure, "vi"));
            Assert.Equal(en["consent.purpose.chip"].Replace("{title}", s.TitleEn), SessionManager.ChipPurpose(s.Procedure, "en"));
            Assert.Equal(vi["consent.purpose.fingerprint"].Replace("{title}", s.TitleVi), SessionManager.FingerprintPurpose(s.Procedure, "vi"));
            Assert.Equal(en["consent.purpose.fingerprint"].Replace("{title}", s.TitleEn), SessionManager.FingerprintPurpose(s.Procedure, "en"));
        }
        Assert.Equal("15.000 đ (trực tiếp) / 7.000 đ (trực tuyến)", Services.Get(Services.TemporaryResidence).FeeVi);
        Assert.Equal(vi["svc." + ResidenceNotification.Procedure], ResidenceNotification.TitleVi);
        Assert.Equal(vi["deadline.rule"], NotificationDeadline.RuleVi);
        Assert.Equal(en["deadline.rule"], NotificationDeadline.RuleEn);
        Assert.Equal(vi["vneid.faceImageNote"], ServiceForms.FaceImageNoteVi);
        Assert.Equal(en["vneid.faceImageNote"], ServiceForms.FaceImageNoteEn);
        foreach (var s in DossierStatuses.All)
        {
            Assert.Equal(vi["dossierStatus." + s.Code], s.Vi);
            Assert.Equal(en["dossierStatus." + s.Code], s.En);
        }
        Assert.Equal(vi["dossierStatus.unknown"], DossierStatuses.Describe(42).Vi);
        Assert.Equal(en["dossierStatus.unknown"], DossierStatuses.Describe(42).En);
    }

    [Fact]
    public void The_status_table_and_the_service_catalogue_hold_no_words_of_their_own()
    {
        // Vietnamese letters outside ASCII in a string literal would be a resident text left in C#.
        static string Code(string path) =>
            string.Join('\n', File.ReadAllLines(path).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        var statuses = Code(Path.Combine(HostFolder, "Store", "DossierStatuses.cs"));
        Assert.DoesNotMatch(NonAsciiLiteral(), statuses);
        var services = Code(Path.Combine(HostFolder, "Filing", "Services.cs"));
        var catalogue = services[services.IndexOf("public static class Services", StringComparison.Ordinal)..services.IndexOf("public static class ProofDocuments", StringComparison.Ordinal)];
        Assert.DoesNotMatch(NonAsciiLiteral(), catalogue);
        var notification = Code(Path.Combine(HostFolder, "Filing", "ResidenceNotification.cs"));
        Assert.DoesNotMatch(NonAsciiLiteral(), notification[notification.IndexOf("public static class NotificationDeadline", StringComparison.Ordinal)..]);
        var session = File.ReadAllText(Path.Combine(HostFolder, "Filing", "SessionManager.cs"));
        Assert.DoesNotContain("Đọc dữ liệu chip", session, StringComparison.Ordinal);
        Assert.DoesNotContain("Thu nhận vân tay", session, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_carries_the_vietnamese_texts_inline_and_json_cannot_close_the_script()
    {
        var html = File.ReadAllText(Path.Combine(HostFolder, "wwwroot", "index.html"));
        var page = ResidentPage.Build(html, new Dictionary<string, string> { ["a"] = "Xin chào </script><b>", ["b"] = "x & 'y'" });
        var at = page.IndexOf("<script type=\"application/json\" id=\"i18n-vi\">", StringComparison.Ordinal);
        Assert.True(at > 0 && at < page.IndexOf("</head>", StringComparison.Ordinal));
        var start = page.IndexOf('>', at) + 1;
        var json = page[start..page.IndexOf("</script>", start, StringComparison.Ordinal)];
        Assert.Contains("Xin chào", json);
        var back = JsonSerializer.Deserialize<Dictionary<string, string>>(json)!;
        Assert.Equal("Xin chào </script><b>", back["a"]);
        Assert.Equal("x & 'y'", back["b"]);
        Assert.DoesNotContain("i18n-vi", html); // the source page has no texts of its own: the host adds them
    }

    private static void AssertInBoth(IEnumerable<string> keys)
    {
        var vi = Resource("vi");
        var en = Resource("en");
        var missing = keys.Where(k => !vi.ContainsKey(k) || !en.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "missing in the resource files: " + string.Join(", ", missing));
    }

    private static string Placeholders(string text) =>
        string.Join(",", PlaceholderRegex().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kiosk.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex(@"""((?:err|print|lookup|doc|cond|deadline|vneid|consent)\.[A-Za-z0-9.\-]+)""")]
    private static partial Regex ServerKey();

    [GeneratedRegex(@"data-i18n=""([^""]+)""")]
    private static partial Regex DataI18n();

    [GeneratedRegex(@"\b(?:t|deviceStatus|speak|has)\(""([^""]+)""\)")]
    private static partial Regex PageKey();

    [GeneratedRegex(@"\b[A-Za-z]+: ""([A-Za-z]+)""")]
    private static partial Regex PromptKey();

    [GeneratedRegex(@"""[^""\n]*[^\x00-\x7F][^""\n]*""")]
    private static partial Regex NonAsciiLiteral();

    [GeneratedRegex(@"\{[A-Za-z]+\}")]
    private static partial Regex PlaceholderRegex();
}
