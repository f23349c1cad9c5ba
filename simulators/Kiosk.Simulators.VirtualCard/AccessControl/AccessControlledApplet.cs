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

    private readonly EmrtdApplet applet;
    private readonly CardFileSystem files;
    private readonly CardSecrets secrets;
    private readonly RandomBytes random;
    private readonly PaceChip pace;
    private SecureMessagingSession? session;
    private byte[]? bacChallenge;

    public AccessControlledApplet(EmrtdApplet applet, CardFileSystem files, CardSecrets secrets, RandomBytes random)
    {
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
        byte[] answer = plain.Ins is InsManageSecurityEnvironment or InsGeneralAuthenticate or InsGetChallenge or InsExternalAuthenticate
            ? ResponseApdu.Status(EmrtdStatusWords.ConditionsOfUseNotSatisfied).Encode()
            : applet.Process(plain.Encode());
        return current.WrapResponse(ResponseApdu.Parse(answer));
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
        files.ApplicationFilesLocked = true;
    }
}
