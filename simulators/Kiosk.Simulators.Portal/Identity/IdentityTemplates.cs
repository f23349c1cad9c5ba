using System.Security.Cryptography;
using System.Text;

namespace Kiosk.Simulators.Portal.Identity;

/// <summary>
/// Synthetic fingerprint reference templates for the people the simulated portal "knows". No real biometrics exist
/// anywhere: a template is 512 bytes derived from the ID number with HMAC-SHA256 under a per-simulator secret
/// (<c>DATA/identity.secret</c>, 32 random bytes, created on first start with mode 0600), so the same person always
/// gets the same bytes from the same simulator. The same secret keys <see cref="PersonRef"/>, the only form in which an
/// ID number reaches the log (a plain hash of a 12-digit number could be reversed by trying them all).
/// </summary>
public sealed class IdentityTemplates
{
    public const int TemplateBytes = 512;
    public const string Format = "iso-19794-2";
    public const string Finger = "right-index";
    public const string Purpose = "fingerprint-match";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>The people of the card simulator's demo profiles (synthetic ID numbers).</summary>
    public static readonly IReadOnlyList<string> DemoPeople = ["001085012345", "079301004567", "048092007890"];

    private readonly byte[] _secret;
    private readonly HashSet<string> _known;

    public IdentityTemplates(string dataDir, IEnumerable<string>? extraPeople = null)
    {
        _secret = LoadOrCreateSecret(Path.Combine(dataDir, "identity.secret"));
        _known = [.. DemoPeople, .. (extraPeople ?? []).Where(IsWellFormed)];
    }

    /// <summary>Exactly 12 ASCII digits (the CCCD number).</summary>
    public static bool IsWellFormed(string? idNumber) => idNumber is { Length: 12 } && idNumber.All(char.IsAsciiDigit);

    public bool IsKnown(string idNumber) => _known.Contains(idNumber);

    /// <summary>The 512 synthetic template bytes for this person: HMAC-SHA256(secret, "fingerprint/right-index/ID/block") blocks.</summary>
    public byte[] Template(string idNumber)
    {
        var result = new byte[TemplateBytes];
        for (var block = 0; block * 32 < TemplateBytes; block++)
        {
            var mac = HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes($"fingerprint/{Finger}/{idNumber}/{block}"));
            mac.CopyTo(result.AsSpan(block * 32));
        }
        return result;
    }

    /// <summary>A keyed, truncated hash of the ID number for correlating log lines; not reversible without the secret.</summary>
    public string PersonRef(string idNumber) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes("log/" + idNumber)))[..12];

    private static byte[] LoadOrCreateSecret(string path)
    {
        if (File.Exists(path)) return Convert.FromBase64String(File.ReadAllText(path).Trim());
        var secret = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var file = new FileStream(path, options);
            file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(secret)));
            file.Flush(true);
        }
        catch (IOException) when (File.Exists(path))
        {
            return Convert.FromBase64String(File.ReadAllText(path).Trim()); // another start created it first
        }
        return secret;
    }
}
