using System.Security.Cryptography;

namespace Kiosk.EdgeBroker.Users;

/// <summary>PBKDF2-HMAC-SHA256 with a per-user random salt. Only the salt, the iteration count and the hash are stored.</summary>
public static class PasswordHasher
{
    /// <summary>
    /// Above the 100k floor we set ourselves; it costs tens of milliseconds per CONNECT on a Pi, and clients connect
    /// once and stay connected, so the cost is paid rarely by them and often by someone guessing.
    /// </summary>
    public const int DefaultIterations = 210_000;

    public const int MinimumIterations = 100_000;
    public const int SaltBytes = 16;
    public const int HashBytes = 32;
    public const int GeneratedPasswordBytes = 32;

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltBytes);

    /// <summary>A new password: 32 random bytes as lowercase hex, so it survives any config file and shell quoting.</summary>
    public static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(GeneratedPasswordBytes));

    public static byte[] Hash(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    /// <summary>Recomputes the hash and compares in constant time, so timing reveals nothing about how close a guess was.</summary>
    public static bool Verify(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, ReadOnlySpan<byte> expectedHash)
    {
        byte[] actual = Hash(password, salt, iterations);
        return CryptographicOperations.FixedTimeEquals(actual, expectedHash);
    }
}
