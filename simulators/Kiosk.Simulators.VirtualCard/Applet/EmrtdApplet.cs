using Kiosk.Simulators.VirtualCard.FileSystem;
using Kiosk.Simulators.VirtualCard.Lds;

namespace Kiosk.Simulators.VirtualCard.Applet;

/// <summary>
/// The eMRTD LDS1 application's file commands: SELECT and READ BINARY, in plain. The files live in
/// <see cref="CardFileSystem"/>; PACE/BAC and secure messaging are a layer (AccessControl/) that unwraps APDUs before
/// they reach <see cref="Process"/> and wraps the answers.
/// </summary>
public sealed class EmrtdApplet
{
    public static readonly byte[] ApplicationId = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

    private const byte InsSelect = 0xA4;
    private const byte InsReadBinary = 0xB0;
    private const byte SelectByDfName = 0x04;
    private const byte SelectMasterFile = 0x00;
    private const byte SelectEfUnderCurrentDf = 0x02;

    private readonly CardFileSystem files;
    private bool applicationSelected;

    public EmrtdApplet(CardFileSystem files)
    {
        this.files = files;
    }

    /// <summary>True once SELECT of the eMRTD application succeeded (until a reset).</summary>
    public bool ApplicationSelected => applicationSelected;

    /// <summary>Back to the state after the card was powered: nothing selected.</summary>
    public void Reset()
    {
        applicationSelected = false;
        files.ClearSelection();
    }

    public byte[] Process(ReadOnlySpan<byte> commandApdu)
    {
        CommandApdu? apdu = CommandApdu.TryParse(commandApdu);
        if (apdu is null) return StatusWords.Only(StatusWords.WrongLength);
        // Only plain inter-industry commands for now; a secure-messaging CLA (0C) will be accepted once SM exists.
        if (apdu.Cla != 0x00) return StatusWords.Only(StatusWords.ClassNotSupported);
        return apdu.Ins switch
        {
            InsSelect => Select(apdu),
            InsReadBinary => ReadBinary(apdu),
            _ => StatusWords.Only(StatusWords.InstructionNotSupported),
        };
    }

    private byte[] Select(CommandApdu apdu)
    {
        switch (apdu.P1)
        {
            case SelectByDfName:
                if (!apdu.Data.AsSpan().SequenceEqual(ApplicationId)) return StatusWords.Only(StatusWords.FileNotFound);
                applicationSelected = true;
                files.ClearSelection();
                return StatusWords.Only(StatusWords.Success);
            case SelectMasterFile:
                // The Vietnamese card rejects SELECT MF as an unsupported instruction (emrtd.md §3.1); readers must cope.
                return StatusWords.Only(StatusWords.InstructionNotSupported);
            case SelectEfUnderCurrentDf:
                if (apdu.Data.Length != 2) return StatusWords.Only(StatusWords.WrongLength);
                ushort fileId = (ushort)((apdu.Data[0] << 8) | apdu.Data[1]);
                // The LDS files live inside the application; under the MF only EF.CardAccess, when the card has one.
                return files.Select(fileId, applicationSelected) == FileAccessResult.Ok
                    ? StatusWords.Only(StatusWords.Success)
                    : StatusWords.Only(StatusWords.FileNotFound);
            default:
                return StatusWords.Only(StatusWords.IncorrectP1P2);
        }
    }

    private byte[] ReadBinary(CommandApdu apdu)
    {
        if (apdu.Ne is not int expected) return StatusWords.Only(StatusWords.WrongLength);
        int offset;
        if ((apdu.P1 & 0x80) != 0)
        {
            // Short EF identifier in P1 bits 1-5: select and read in one command, offset 0..255 in P2.
            if ((apdu.P1 & 0x60) != 0) return StatusWords.Only(StatusWords.IncorrectP1P2);
            ushort? fileId = LdsFileIds.FromShortId(apdu.P1 & 0x1F);
            if (fileId is null || files.Select(fileId.Value, applicationSelected) != FileAccessResult.Ok)
                return StatusWords.Only(StatusWords.FileNotFound);
            offset = apdu.P2;
        }
        else
        {
            offset = (apdu.P1 << 8) | apdu.P2;
        }
        return files.Read(offset, expected, out byte[] data) switch
        {
            FileAccessResult.Ok => StatusWords.WithData(data, StatusWords.Success),
            FileAccessResult.NoFileSelected => StatusWords.Only(StatusWords.CommandNotAllowedNoCurrentEf),
            FileAccessResult.OffsetBeyondEnd => StatusWords.Only(StatusWords.WrongParametersOffset),
            FileAccessResult.SecurityStatusNotSatisfied => StatusWords.Only(StatusWords.SecurityStatusNotSatisfied),
            _ => StatusWords.Only(StatusWords.FileNotFound),
        };
    }
}
