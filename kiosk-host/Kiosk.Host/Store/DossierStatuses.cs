using Kiosk.Host.Filing;

namespace Kiosk.Host.Store;

/// <summary>
/// One portal lifecycle code with plain words for the resident (domain.md §1.7, de facto DVCQG codes). The words come
/// from the resource files <c>wwwroot/i18n/*.json</c>, key <c>dossierStatus.{code}</c> (<c>dossierStatus.unknown</c> for a code not listed).
/// </summary>
public sealed record DossierStatusWords(int Code, bool Final)
{
    public string Key => DossierStatuses.IsKnown(Code) ? "dossierStatus." + Code.ToString(System.Globalization.CultureInfo.InvariantCulture) : "dossierStatus.unknown";
    public string Vi => Messages.Text("vi", Key);
    public string En => Messages.Text("en", Key);
}

/// <summary>The single table of portal lifecycle codes 1–10 (their words: resource keys <c>dossierStatus.1</c>…<c>10</c>).</summary>
public static class DossierStatuses
{
    public static readonly IReadOnlyList<DossierStatusWords> All =
    [
        new(1, false), new(2, false), new(3, true), new(4, false), new(5, false),
        new(6, false), new(7, true), new(8, true), new(9, true), new(10, true),
    ];

    public static DossierStatusWords? Find(int? code) => code is { } c ? All.FirstOrDefault(s => s.Code == c) : null;

    internal static bool IsKnown(int code) => code is >= 1 and <= 10;

    /// <summary>Words for any code, also one the portal invents later.</summary>
    public static DossierStatusWords Describe(int code) => Find(code) ?? new(code, false);

    /// <summary>Final codes (3, 7, 8, 9, 10): the status pull stops asking.</summary>
    public static bool IsFinal(int? code) => Find(code)?.Final ?? false;
}
