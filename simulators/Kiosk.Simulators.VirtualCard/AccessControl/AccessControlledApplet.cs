using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.SecureMessaging;
using Kiosk.Simulators.VirtualCard.Applet;
using CommandApdu = Kiosk.Emrtd.Iso7816.CommandApdu;
using Kiosk.Simulators.VirtualCard.FileSystem;
using EmrtdStatusWords = Kiosk.Emrtd.Iso7816.StatusWords;

namespace Kiosk.Simulators.VirtualCard.AccessControl;

/// <summary>
/// The access-control layer in front of <see cref="EmrtdApplet"/>: answers PACE (MSE:Set AT, GENERAL AUTHENTICATE)
/// and BAC (GET CHALLENGE, EXTERNAL AUTHENTICATE), keeps the application files locked until one succeeded, then
/// unwraps every command and wraps every answer in secure messaging. A wrong MAC ends the session with 6988; a plain
/// command ends it too (Part 11 §9.8.8), so the files lock again.
/// </summary>
internal sealed class AccessControlledApplet
{
    private const byte InsManageSecurityEnvironment = 0x22;
    private const byte InsGeneralAuthenticate = 0x86;
    private const byte InsGetChallenge = 0x84;
    private const byte InsExternalAuthenticate = 0x82;
    private const byte InsInternalAuthenticate = 0x88;

    private readonly EmrtdApplet applet;
    private readonly CardFileSystem files;
    private readonly CardSecrets secrets;
    private readonly RandomBytes random;
    private readonly PaceChip pace;
    private readonly Security.CardSecurity? security;
    private SecureMessagingSession? session;
    /// <summary>The CA protocol OID an MSE:Set AT (41 A4) named under secure messaging, until its GENERAL AUTHENTICATE.</summary>
    private string? chipAuthenticationProtocol;
    private byte[]? bacChallenge;

    private readonly bool bacOnly;

    public AccessControlledApplet(EmrtdApplet applet, CardFileSystem files, CardSecrets secrets, RandomBytes random,
        Security.CardSecurity? security = null, bool bacOnly = false)
    {
        this.security = security;
        this.bacOnly = bacOnly;
        this.applet = applet;
        this.files = files;
        this.secrets = secrets;
        this.random = random;
        pace = new PaceChip(secrets, random);
        EndSession();
    }

    public void Reset()
    {
        EndSession();
        pace.Reset();
        applet.Reset();
    }

    public byte[] Process(byte[] commandApdu)
    {
        if (session is not null)
        {
            if (commandApdu.Length >= 4 && (commandApdu[0] & 0x0C) == 0x0C) return ProcessProtected(session, commandApdu);
            EndSession();
        }
        CommandApdu command;
        try { command = CommandApdu.Parse(commandApdu); }
        catch (MalformedDataException) { return ResponseApdu.Status(EmrtdStatusWords.WrongLength).Encode(); }
        if ((command.Cla & 0xEF) != 0x00) return applet.Process(commandApdu); // the applet answers unknown classes
        if (bacOnly && command.Ins is InsManageSecurityEnvironment or InsGeneralAuthenticate)
            return ResponseApdu.Status(EmrtdStatusWords.InstructionNotSupported).Encode(); // no PACE on this chip
        return command.Ins switch
        {
            InsManageSecurityEnvironment when command.P1 == 0xC1 && command.P2 == 0xA4 => pace.SetAuthenticationTemplate(command).Encode(),
            InsGeneralAuthenticate => GeneralAuthenticate(command),
            InsGetChallenge => GetChallenge(command),
            InsExternalAuthenticate => ExternalAuthenticate(command),
            _ => applet.Process(commandApdu),
        };
    }

    private byte[] ProcessProtected(SecureMessagingSession current, byte[] commandApdu)
    {
        CommandApdu plain;
        try { plain = current.UnwrapCommand(commandApdu); }
        catch (EmrtdException)
        {
            EndSession();
            return ResponseApdu.Status(EmrtdStatusWords.SecureMessagingObjectsIncorrect).Encode();
        }
        if (security is not null)
        {
            switch (plain.Ins)
            {
                case InsInternalAuthenticate:
                    // Active authentication under secure messaging: the DG15 key signs the 8-byte challenge.
                    return current.WrapResponse(plain.Data.Length == 8
                        ? new ResponseApdu(security.SignChallenge(plain.Data), EmrtdStatusWords.Success)
                        : ResponseApdu.Status(EmrtdStatusWords.WrongLength));
                case InsManageSecurityEnvironment when plain.P1 == 0x41 && plain.P2 == 0xA6:
                    return ChipAuthenticate(current, plain, Kiosk.Emrtd.Crypto.CipherKind.TripleDes, []); // MSE:Set KAT (3DES)
                case InsManageSecurityEnvironment when plain.P1 == 0x41 && plain.P2 == 0xA4:
                    return current.WrapResponse(SetChipAuthenticationTemplate(plain));
                case InsGeneralAuthenticate when chipAuthenticationProtocol is string protocol:
                    chipAuthenticationProtocol = null;
                    Kiosk.Emrtd.Crypto.CipherKind cipher;
                    try { cipher = Kiosk.Emrtd.ChipAuthentication.ChipAuthenticationSteps.Cipher(protocol); }
                    catch (EmrtdException) { return current.WrapResponse(ResponseApdu.Status(EmrtdStatusWords.IncorrectData)); }
                    return ChipAuthenticate(current, plain, cipher, BerTlv.Encode(0x7C, []));
            }
        }
        byte[] answer = plain.Ins is InsManageSecurityEnvironment or InsGeneralAuthenticate or InsGetChallenge or InsExternalAuthenticate
            ? ResponseApdu.Status(EmrtdStatusWords.ConditionsOfUseNotSatisfied).Encode()
            : applet.Process(plain.Encode());
        return current.WrapResponse(ResponseApdu.Parse(answer));
    }

    /// <summary>MSE:Set AT for chip authentication (AES): 80 = an id-CA-ECDH-* OID, 84 = key id (optional).</summary>
    private ResponseApdu SetChipAuthenticationTemplate(CommandApdu plain)
    {
        chipAuthenticationProtocol = null;
        try
        {
            byte[]? oid = BerTlv.Find(BerTlv.ParseAll(plain.Data), 0x80)?.Value;
            if (oid is null) return ResponseApdu.Status(EmrtdStatusWords.IncorrectData);
            string protocol = System.Formats.Asn1.AsnDecoder.ReadObjectIdentifier(BerTlv.Encode(0x06, oid), System.Formats.Asn1.AsnEncodingRules.DER, out _);
            Kiosk.Emrtd.ChipAuthentication.ChipAuthenticationSteps.Cipher(protocol);
            if (!protocol.StartsWith(Kiosk.Emrtd.Lds.Dg14.IdCaEcdh + ".", StringComparison.Ordinal)) return ResponseApdu.Status(EmrtdStatusWords.IncorrectData);
            chipAuthenticationProtocol = protocol;
            return ResponseApdu.Status(EmrtdStatusWords.Success);
        }
        catch (Exception e) when (e is EmrtdException or System.Formats.Asn1.AsnContentException)
        {
            return ResponseApdu.Status(EmrtdStatusWords.IncorrectData);
        }
    }

    /// <summary>
    /// Chip authentication v1, card side: the terminal's ephemeral key (91 in MSE:Set KAT, 7C/80 in GENERAL
    /// AUTHENTICATE), the shared secret with the chip's static key, the answer under the old keys, then secure messaging
    /// restarts with KS_enc/KS_mac from that secret and SSC 0.
    /// </summary>
    private byte[] ChipAuthenticate(SecureMessagingSession current, CommandApdu plain, Kiosk.Emrtd.Crypto.CipherKind cipher, byte[] answerData)
    {
        SessionKeys keys;
        try
        {
            byte[] terminalKey = Kiosk.Emrtd.ChipAuthentication.ChipAuthenticationSteps.ReadEphemeralPublicKey(plain);
            keys = Kiosk.Emrtd.ChipAuthentication.ChipAuthenticationSteps.DeriveSessionKeys(security!.ChipAuthenticationSecret(terminalKey), cipher);
        }
        catch (EmrtdException)
        {
            return current.WrapResponse(ResponseApdu.Status(EmrtdStatusWords.IncorrectData));
        }
        byte[] answer = current.WrapResponse(new ResponseApdu(answerData, EmrtdStatusWords.Success));
        session = keys.StartSession();
        return answer;
    }

    private byte[] GeneralAuthenticate(CommandApdu command)
    {
        ResponseApdu answer = pace.GeneralAuthenticate(command, out SessionKeys? keys);
        if (keys is not null) StartSession(keys);
        return answer.Encode();
    }

    private byte[] GetChallenge(CommandApdu command)
    {
        if (command.Ne != 8) return ResponseApdu.Status(EmrtdStatusWords.WrongLength).Encode();
        // BAC belongs to the eMRTD application (9303-11 §4.3): this chip offers it there only.
        if (bacOnly && !applet.ApplicationSelected) return ResponseApdu.Status(EmrtdStatusWords.ConditionsOfUseNotSatisfied).Encode();
        bacChallenge = random(8);
        return new ResponseApdu(bacChallenge, EmrtdStatusWords.Success).Encode();
    }

    private byte[] ExternalAuthenticate(CommandApdu command)
    {
        if (bacChallenge is not byte[] challenge) return ResponseApdu.Status(EmrtdStatusWords.ConditionsOfUseNotSatisfied).Encode();
        bacChallenge = null; // one attempt per challenge
        try
        {
            (byte[] answer, SessionKeys keys) = BacChip.AnswerExternalAuthenticate(secrets.BacKeys(), challenge, command.Data, random);
            StartSession(keys);
            return new ResponseApdu(answer, EmrtdStatusWords.Success).Encode();
        }
        catch (AuthenticationFailedException) { return ResponseApdu.Status(EmrtdStatusWords.AuthenticationFailed).Encode(); }
        catch (EmrtdException) { return ResponseApdu.Status(EmrtdStatusWords.WrongLength).Encode(); }
    }

    private void StartSession(SessionKeys keys)
    {
        session = keys.StartSession();
        files.ApplicationFilesLocked = false;
    }

    private void EndSession()
    {
        session = null;
        bacChallenge = null;
        chipAuthenticationProtocol = null;
        files.ApplicationFilesLocked = true;
    }
}
