using System.Text.Json;
using System.Text.RegularExpressions;
using Kiosk.Host.Filing;

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
        Assert.Contains("err.phone.invalid", used);
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

    [GeneratedRegex(@"""((?:err|print|lookup|doc|cond)\.[A-Za-z0-9.\-]+)""")]
    private static partial Regex ServerKey();

    [GeneratedRegex(@"data-i18n=""([^""]+)""")]
    private static partial Regex DataI18n();

    [GeneratedRegex(@"\b(?:t|deviceStatus|speak|has)\(""([^""]+)""\)")]
    private static partial Regex PageKey();

    [GeneratedRegex(@"\b[A-Za-z]+: ""([A-Za-z]+)""")]
    private static partial Regex PromptKey();

    [GeneratedRegex(@"\{[A-Za-z]+\}")]
    private static partial Regex PlaceholderRegex();
}
