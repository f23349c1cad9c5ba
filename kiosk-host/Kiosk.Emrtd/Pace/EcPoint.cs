using System.Numerics;

namespace Kiosk.Emrtd.Pace;

/// <summary>An affine point of a short-Weierstrass curve, or the point at infinity (the group's neutral element).</summary>
public readonly record struct EcPoint(BigInteger X, BigInteger Y, bool IsInfinity = false)
{
    public static readonly EcPoint Infinity = new(BigInteger.Zero, BigInteger.Zero, true);
}
