using System.Reflection.Metadata;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Firmware.Tests;

/// <summary>
/// firmware/device-check compiles the whole ESP32 image's sources against nanoFramework's mscorlib and the reference
/// assemblies of firmware/reference-assemblies (GitHub issue #10). These tests read its output and check that the
/// device project's three package lists (Kiosk.Firmware.nfproj's references, packages.config, the reference assemblies)
/// name the same packages and versions, with every nuspec dependency present (firmware/reference-assemblies/packages.json).
/// </summary>
public class DeviceImageCheckTests
{
    private static readonly string Root = NanoMetadataChecks.RepoRoot();
    private static readonly string DeviceFolder = Path.Combine(Root, "firmware", "nanoframework");
    private static readonly string ReferenceFolder = Path.Combine(Root, "firmware", "reference-assemblies");

    private sealed record Package(string Id, string Version, string[] Assemblies, (string Id, string Version)[] Depends, bool HasDependsNote);

    private static List<Package> PackageData()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReferenceFolder, "packages.json")));
        return doc.RootElement.GetProperty("packages").EnumerateArray().Select(p => new Package(
            p.GetProperty("id").GetString()!,
            p.GetProperty("version").GetString()!,
            p.GetProperty("assemblies").EnumerateArray().Select(a => a.GetString()!).ToArray(),
            p.GetProperty("depends").EnumerateArray().Select(d => (d.GetProperty("id").GetString()!, d.GetProperty("version").GetString()!)).ToArray(),
            p.TryGetProperty("dependsNote", out _))).ToList();
    }

    /// <summary>Every package DLL the device has, with the version the reference assembly (and the real DLL) carries.</summary>
    private static Dictionary<string, Version> DeviceAssemblies() =>
        PackageData().SelectMany(p => p.Assemblies.Select(a => (a, new Version(p.Version + ".0"))))
            .ToDictionary(x => x.a, x => x.Item2);

    private static string DeviceCheckOutput(string assemblyName = "Kiosk.Firmware.DeviceCheck")
    {
        string path = Path.Combine(NanoMetadataChecks.FirmwareProjectOutput("device-check"), assemblyName + ".dll");
        Assert.True(File.Exists(path), "device-check output missing (it is built as a ProjectReference of this project): " + path);
        return path;
    }

    private static List<(string Name, Version Version)> References(string path) =>
        NanoMetadataChecks.Read(path, md => md.AssemblyReferences.Select(h => md.GetAssemblyReference(h))
            .Select(r => (md.GetString(r.Name), r.Version)).ToList());

    [Fact]
    public void DeviceImageReferencesOnlyMscorlibAndTheReferenceAssemblies()
    {
        string output = DeviceCheckOutput();
        List<string> foreign = NanoMetadataChecks.Read(output, md => NanoMetadataChecks.FindForeignReferences(md, DeviceAssemblies()));
        Assert.True(foreign.Count == 0, string.Join("; ", foreign));
        // It is the device image: the platform code's packages are really referenced.
        var names = References(output).Select(r => r.Name).ToList();
        foreach (string used in new[] { "mscorlib", "nanoFramework.M2Mqtt", "nanoFramework.M2Mqtt.Core", "System.Net", "System.Device.Wifi",
                     "System.IO.Ports", "System.IO.FileSystem", "System.Threading", "nanoFramework.Hardware.Esp32", "nanoFramework.Runtime.Native" })
            Assert.Contains(used, names);
    }

    [Fact]
    public void DeviceImageUsesNoGenerics()
    {
        List<string> generics = NanoMetadataChecks.Read(DeviceCheckOutput(), NanoMetadataChecks.FindGenerics);
        Assert.True(generics.Count == 0, string.Join("; ", generics));
    }

    [Fact]
    public void DeviceImageCompilesTheContractTheSharedSourcesAndEveryDeviceSource()
    {
        var types = NanoMetadataChecks.Read(DeviceCheckOutput(), md => md.TypeDefinitions.Select(h => md.GetTypeDefinition(h))
            .Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name)).ToHashSet());
        Assert.Contains("Kiosk.DeviceContract.DeviceSettings", types);
        Assert.Contains("Kiosk.Firmware.App.FirmwareApp", types);
        Assert.Contains("Kiosk.Firmware.Device.Program", types);
        Assert.Contains("Kiosk.Firmware.Device.Platform.DevicePlatform", types);
        Assert.Contains("Kiosk.Firmware.Device.Platform.M2MqttLink", types);
        Assert.Contains("Kiosk.Firmware.Device.Platform.SerialPortLink", types);
    }

    [Fact]
    public void ReferenceAssembliesCarryThePackagesAssemblyNamesAndVersionsAndNeedNothingElse()
    {
        Dictionary<string, Version> device = DeviceAssemblies();
        device.Remove("mscorlib");
        var allowed = new Dictionary<string, Version>(device) { ["mscorlib"] = NanoMetadataChecks.MscorlibVersion };
        var projectsOnDisk = Directory.GetDirectories(ReferenceFolder).Select(Path.GetFileName)
            .Where(d => File.Exists(Path.Combine(ReferenceFolder, d!, d + ".csproj"))).ToHashSet();
        Assert.Equal(device.Keys.Order(), projectsOnDisk.Order()!);

        foreach ((string name, Version version) in device)
        {
            string dll = DeviceCheckOutput(name);
            Assert.Equal((name, version), NanoMetadataChecks.Read(dll, NanoMetadataChecks.Identity));
            List<string> violations = NanoMetadataChecks.FindViolations(dll, allowed);
            Assert.True(violations.Count == 0, name + ": " + string.Join("; ", violations));
        }

        // device-check references every one of them, and nothing else.
        XDocument check = XDocument.Load(Path.Combine(Root, "firmware", "device-check", "Kiosk.Firmware.DeviceCheck.csproj"));
        var referenced = check.Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value)).Order().ToList();
        Assert.Equal(device.Keys.Order(), referenced);
    }

    [Fact]
    public void NfprojPackagesConfigAndReferenceAssembliesNameTheSamePackagesAndVersions()
    {
        List<Package> data = PackageData();
        var expected = data.Select(p => (p.Id, p.Version)).Order().ToList();

        XDocument config = XDocument.Load(Path.Combine(DeviceFolder, "packages.config"));
        var listed = config.Root!.Elements("package").Select(p => (p.Attribute("id")!.Value, p.Attribute("version")!.Value)).Order().ToList();
        Assert.Equal(expected, listed);

        XNamespace ns = "http://schemas.microsoft.com/developer/msbuild/2003";
        XDocument nfproj = XDocument.Load(Path.Combine(DeviceFolder, "Kiosk.Firmware.nfproj"));
        var references = nfproj.Descendants(ns + "Reference")
            .Select(r => (Include: r.Attribute("Include")!.Value, HintPath: r.Element(ns + "HintPath")!.Value)).Order().ToList();
        var expectedReferences = data.SelectMany(p => p.Assemblies.Select(a => (a, $@"packages\{p.Id}.{p.Version}\lib\{a}.dll"))).Order().ToList();
        Assert.Equal(expectedReferences, references);
    }

    [Fact]
    public void PackagesConfigListsEveryNuspecDependencyOfEveryPackage()
    {
        XDocument config = XDocument.Load(Path.Combine(DeviceFolder, "packages.config"));
        var listed = config.Root!.Elements("package").ToDictionary(p => p.Attribute("id")!.Value, p => new Version(p.Attribute("version")!.Value));
        var missing = new List<string>();
        foreach (Package package in PackageData())
        {
            foreach ((string id, string minimum) in package.Depends)
            {
                if (!listed.TryGetValue(id, out Version? version)) missing.Add($"{package.Id} needs {id} >= {minimum}: not listed");
                else if (version < new Version(minimum)) missing.Add($"{package.Id} needs {id} >= {minimum}: {version} listed");
            }
        }
        Assert.True(missing.Count == 0, string.Join("; ", missing));
    }

    [Fact]
    public void PackageDependenciesAreTheApiTextsDependsLines()
    {
        // nano-packages-api.txt: "## <package id> <version>" then "depends: id version, id version," continued on
        // indented lines; a parenthesis starts a remark, not a dependency.
        string[] lines = File.ReadAllLines(Path.Combine(ReferenceFolder, "nano-packages-api.txt"));
        var sections = new Dictionary<string, List<(string, string)>>();
        for (int i = 0; i < lines.Length; i++)
        {
            Match header = Regex.Match(lines[i], @"^## (\S+) (\d+\.\d+\.\d+)$");
            if (!header.Success || i + 1 >= lines.Length || !lines[i + 1].StartsWith("depends:")) continue;
            var depends = new List<(string, string)>();
            for (int j = i + 1; j < lines.Length && (j == i + 1 || lines[j].StartsWith("         ")); j++)
            {
                string text = j == i + 1 ? lines[j]["depends:".Length..] : lines[j];
                int remark = text.IndexOf('(');
                if (remark >= 0) text = text[..remark];
                foreach (Match m in Regex.Matches(text, @"(nanoFramework\.[A-Za-z0-9.]+?) (\d+\.\d+\.\d+)"))
                    depends.Add((m.Groups[1].Value, m.Groups[2].Value));
            }
            sections[header.Groups[1].Value + " " + header.Groups[2].Value] = depends;
        }

        foreach (Package package in PackageData().Where(p => p.Id != "nanoFramework.CoreLibrary"))
        {
            if (sections.TryGetValue(package.Id + " " + package.Version, out var depends))
                Assert.Equal(depends.Order(), package.Depends.Order());
            else
                Assert.True(package.HasDependsNote, $"{package.Id} {package.Version} has no section in nano-packages-api.txt and no dependsNote saying where its dependencies come from");
        }
    }

    [Fact]
    public void NfprojCompilesTheContractTheSharedSourcesAndEveryFileOfTheDeviceFolder()
    {
        XNamespace ns = "http://schemas.microsoft.com/developer/msbuild/2003";
        XDocument nfproj = XDocument.Load(Path.Combine(DeviceFolder, "Kiosk.Firmware.nfproj"));
        var includes = nfproj.Descendants(ns + "Compile").Select(c => c.Attribute("Include")!.Value).ToList();
        Assert.Contains(@"..\..\libs\Kiosk.DeviceContract\**\*.cs", includes);
        Assert.Contains(@"..\src\**\*.cs", includes);

        var listed = includes.Where(i => !i.StartsWith("..")).Select(i => i.Replace('\\', '/')).Order().ToList();
        var onDisk = Directory.GetFiles(DeviceFolder, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(DeviceFolder, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/") && !f.StartsWith("obj/") && !f.StartsWith("packages/")).Order().ToList();
        Assert.Equal(onDisk, listed);
    }
}
