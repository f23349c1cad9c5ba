using System.Security.Cryptography;

namespace Kiosk.Emrtd;

/// <summary>
/// The only source of randomness of every protocol step: production passes <see cref="RandomSource.System"/>, tests
/// pass the values of a worked example so the whole exchange is replayed byte for byte.
/// </summary>
public delegate byte[] RandomBytes(int count);

public static class RandomSource
{
    public static readonly RandomBytes System = RandomNumberGenerator.GetBytes;
}
