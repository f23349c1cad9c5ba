using System.Security.Cryptography;
using System.Text;
using Kiosk.Emrtd.Crypto;

namespace Kiosk.Emrtd.Bac;

/// <summary>The document basic access keys (Part 11 §9.7.2, Appendix D.2): K_seed = SHA-1(MRZ information)[0..16].</summary>
public sealed record BacKeys(byte[] Seed, byte[] Encryption, byte[] Mac)
{
    public static BacKeys FromMrzInformation(string mrzInformation)
    {
        byte[] seed = SHA1.HashData(Encoding.ASCII.GetBytes(mrzInformation))[..16];
        return new BacKeys(seed,
            KeyDerivation.Derive(seed, KeyDerivation.EncryptionCounter, CipherKind.TripleDes),
            KeyDerivation.Derive(seed, KeyDerivation.MacCounter, CipherKind.TripleDes));
    }

    public override string ToString() => "BacKeys { … }";
}
