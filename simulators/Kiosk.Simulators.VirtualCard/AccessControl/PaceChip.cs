using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;

namespace Kiosk.Simulators.VirtualCard.AccessControl;

/// <summary>
/// PACE-ECDH-GM-AES-128 on brainpoolP256r1 as the CCCD chip answers it: MSE:Set AT, then the four GENERAL AUTHENTICATE
/// steps (encrypted nonce, mapping, key agreement, tokens). A wrong password shows only at the last step, where the
/// terminal's token does not verify: 6300, as on a real card.
/// </summary>
internal sealed class PaceChip
{
    public static readonly PaceAlgorithm Algorithm = PaceAlgorithm.EcdhGenericMappingAes128;
    public const int ParameterId = StandardDomainParameters.BrainpoolP256r1;

    private enum Step { Idle, AwaitingNonceRequest, AwaitingMapping, AwaitingKeyAgreement, AwaitingToken }

    private readonly CardSecrets secrets;
    private readonly RandomBytes random;
    private readonly EllipticCurve curve = StandardDomainParameters.ById(ParameterId);
    private Step step;
    private PacePassword? password;
    private byte[] nonce = [];
    private EllipticCurve? mappedCurve;
    private byte[] chipPublicKey = [];
    private byte[] terminalPublicKey = [];
    private SessionKeys? keys;

    public PaceChip(CardSecrets secrets, RandomBytes random)
    {
        this.secrets = secrets;
        this.random = random;
    }

    public void Reset()
    {
        step = Step.Idle;
        password = null;
        nonce = [];
        mappedCurve = null;
        keys = null;
    }

    /// <summary>MSE:Set AT: 80 = our PACE OID, 83 = 01 (MRZ) or 02 (CAN), 84 = 13 when present.</summary>
    public ResponseApdu SetAuthenticationTemplate(CommandApdu command)
    {
        Reset();
        try
        {
            IReadOnlyList<Kiosk.Emrtd.Iso7816.Tlv> objects = BerTlv.ParseAll(command.Data);
            Kiosk.Emrtd.Iso7816.Tlv? protocol = BerTlv.Find(objects, 0x80), reference = BerTlv.Find(objects, 0x83), parameter = BerTlv.Find(objects, 0x84);
            if (protocol is null || !protocol.Value.AsSpan().SequenceEqual(Algorithm.OidContent())) return Fail(StatusWords.IncorrectData);
            if (parameter is not null && (parameter.Value.Length != 1 || parameter.Value[0] != ParameterId)) return Fail(StatusWords.IncorrectData);
            if (reference is not { Value.Length: 1 }) return Fail(StatusWords.IncorrectData);
            password = (PacePasswordType)reference.Value[0] switch
            {
                PacePasswordType.Can => PacePassword.FromCan(secrets.Can),
                PacePasswordType.Mrz => PacePassword.FromMrzInformation(secrets.MrzInformation),
                _ => null,
            };
            if (password is null) return Fail(StatusWords.IncorrectData);
            step = Step.AwaitingNonceRequest;
            return ResponseApdu.Status(StatusWords.Success);
        }
        catch (EmrtdException)
        {
            return Fail(StatusWords.IncorrectData);
        }
    }

    /// <summary>One GENERAL AUTHENTICATE step. On success of the last one, <paramref name="established"/> holds the session keys.</summary>
    public ResponseApdu GeneralAuthenticate(CommandApdu command, out SessionKeys? established)
    {
        established = null;
        try
        {
            switch (step)
            {
                case Step.AwaitingNonceRequest:
                {
                    Kiosk.Emrtd.Iso7816.Tlv outer = BerTlv.ParseSingle(command.Data);
                    if (outer.Tag != PaceSteps.TagDynamicAuthenticationData || outer.Value.Length != 0) return Fail(StatusWords.IncorrectData);
                    nonce = random(16);
                    byte[] encrypted = PaceSteps.EncryptNonce(Algorithm.Cipher, password!.DeriveKeyPi(Algorithm.Cipher), nonce);
                    step = Step.AwaitingMapping;
                    return Answer(PaceSteps.TagEncryptedNonce, encrypted);
                }
                case Step.AwaitingMapping:
                {
                    EcPoint terminalMapping = curve.Decode(Read(command, PaceSteps.TagMappingDataTerminal));
                    EcKeyPair mapping = EcKeyPair.Generate(curve, random);
                    (_, mappedCurve) = PaceSteps.MapGenerator(curve, nonce, mapping.PrivateKey, terminalMapping);
                    step = Step.AwaitingKeyAgreement;
                    return Answer(PaceSteps.TagMappingDataChip, curve.Encode(mapping.PublicKey));
                }
                case Step.AwaitingKeyAgreement:
                {
                    terminalPublicKey = Read(command, PaceSteps.TagEphemeralKeyTerminal);
                    EcPoint terminalPoint = mappedCurve!.Decode(terminalPublicKey);
                    EcKeyPair ephemeral = EcKeyPair.Generate(mappedCurve, random);
                    chipPublicKey = mappedCurve.Encode(ephemeral.PublicKey);
                    keys = PaceSteps.DeriveSessionKeys(Algorithm.Cipher, PaceSteps.SharedSecret(mappedCurve, ephemeral, terminalPoint));
                    step = Step.AwaitingToken;
                    return Answer(PaceSteps.TagEphemeralKeyChip, chipPublicKey);
                }
                case Step.AwaitingToken:
                {
                    byte[] terminalToken = Read(command, PaceSteps.TagTokenTerminal);
                    PaceSteps.VerifyToken(PaceSteps.AuthenticationToken(Algorithm, keys!, chipPublicKey), terminalToken, "card");
                    established = keys;
                    ResponseApdu answer = Answer(PaceSteps.TagTokenChip, PaceSteps.AuthenticationToken(Algorithm, keys!, terminalPublicKey));
                    Reset();
                    return answer;
                }
                default:
                    return Fail(StatusWords.ConditionsOfUseNotSatisfied);
            }
        }
        catch (AuthenticationFailedException)
        {
            return Fail(StatusWords.AuthenticationFailed);
        }
        catch (EmrtdException)
        {
            return Fail(StatusWords.IncorrectData);
        }
    }

    private static byte[] Read(CommandApdu command, int tag) => PaceSteps.ReadDynamicAuthenticationData(command.Data, tag, "card");

    private static ResponseApdu Answer(int tag, byte[] value) =>
        new(BerTlv.Encode(PaceSteps.TagDynamicAuthenticationData, BerTlv.Encode(tag, value)), StatusWords.Success);

    private ResponseApdu Fail(ushort statusWord)
    {
        Reset();
        return ResponseApdu.Status(statusWord);
    }
}
