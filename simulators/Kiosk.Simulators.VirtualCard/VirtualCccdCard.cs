using Kiosk.Simulators.VirtualCard.AccessControl;
using Kiosk.Simulators.VirtualCard.Applet;
using Kiosk.Simulators.VirtualCard.FileSystem;
using Kiosk.Simulators.VirtualCard.Lds;
using Kiosk.Simulators.VirtualCard.Profiles;

namespace Kiosk.Simulators.VirtualCard;

/// <summary>A contactless chip card as a reader sees it once the ISO 14443-4 link is up: APDU in, APDU out.</summary>
public interface IVirtualCard
{
    /// <summary>Answers one command APDU. Never throws, whatever the bytes.</summary>
    byte[] Process(byte[] commandApdu);

    /// <summary>The card was (re)activated by the reader: selections and sessions are gone.</summary>
    void Reset();
}

/// <summary>
/// The virtual CCCD chip: the eMRTD applet over EF.COM, DG1 and DG13 built from a person profile; with
/// <see cref="VirtualCardOptions.RequireAccessControl"/> also EF.CardAccess, PACE, BAC and secure messaging (with
/// <see cref="VirtualCardOptions.BacOnly"/>: BAC inside the eMRTD application only, no EF.CardAccess).
/// </summary>
public sealed class VirtualCccdCard : IVirtualCard
{
    private readonly EmrtdApplet applet;
    private readonly AccessControlledApplet? accessControl;
    private readonly object gate = new();

    public VirtualCccdCard(PersonProfile profile)
        : this(profile, new VirtualCardOptions())
    {
    }

    public VirtualCccdCard(PersonProfile profile, VirtualCardOptions options)
    {
        Profile = profile;
        Options = options;
        var files = new Dictionary<ushort, byte[]>
        {
            [LdsFileIds.EfCom] = LdsFiles.EfCom(),
            [LdsFileIds.Dg1] = LdsFiles.Dg1(profile),
            [LdsFileIds.Dg13] = LdsFiles.Dg13(profile),
        };
        if (options.Security is not null)
        {
            foreach ((ushort id, byte[] content) in options.Security.Files(files[LdsFileIds.Dg1], files[LdsFileIds.Dg13])) files[id] = content;
            foreach (ushort removed in options.Security.RemovedFiles) files.Remove(removed);
        }
        if (!options.RequireAccessControl)
        {
            applet = new EmrtdApplet(new CardFileSystem(files));
            return;
        }
        // A BAC-only chip has no EF.CardAccess (no PACE to announce).
        var masterFiles = options.BacOnly ? new Dictionary<ushort, byte[]>() : new Dictionary<ushort, byte[]> { [LdsFileIds.EfCardAccess] = LdsFiles.CardAccess() };
        var fileSystem = new CardFileSystem(files, masterFiles);
        applet = new EmrtdApplet(fileSystem);
        accessControl = new AccessControlledApplet(applet, fileSystem, CardSecrets.From(profile), options.Random, options.Security, options.BacOnly);
    }

    public PersonProfile Profile { get; }

    public VirtualCardOptions Options { get; }

    public byte[] Process(byte[] commandApdu)
    {
        ArgumentNullException.ThrowIfNull(commandApdu);
        lock (gate)
        {
            if (accessControl is null && Options.Security is not null && IsInternalAuthenticate(commandApdu, out byte[] challenge))
                return [.. Options.Security.SignChallenge(challenge), 0x90, 0x00];
            return accessControl?.Process(commandApdu) ?? applet.Process(commandApdu);
        }
    }

    /// <summary>00 88 00 00 08 challenge [Le]: the active-authentication command, in plain.</summary>
    private static bool IsInternalAuthenticate(byte[] apdu, out byte[] challenge)
    {
        challenge = [];
        if (apdu.Length < 13 || apdu[0] != 0x00 || apdu[1] != 0x88 || apdu[4] != 0x08) return false;
        challenge = apdu[5..13];
        return true;
    }

    public void Reset()
    {
        lock (gate)
        {
            if (accessControl is not null) accessControl.Reset();
            else applet.Reset();
        }
    }
}
