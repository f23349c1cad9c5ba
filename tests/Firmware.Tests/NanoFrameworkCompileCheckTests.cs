using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Firmware.Tests;

/// <summary>
/// The rules of the nanoFramework checks, read from an assembly's metadata. csc accepts user generics and instantiations
/// of mscorlib's Action`1/Func`2, which nanoFramework 1.17 cannot run, so the compiled output is read for them; and an
/// assembly reference the device does not have (or has in another version) would only fail on the device.
/// Used by NanoFrameworkCompileCheckTests (firmware/compile-check) and DeviceImageCheckTests (firmware/device-check).
/// </summary>
public static class NanoMetadataChecks
{
    private const byte ElementTypeVar = 0x13;
    private const byte ElementTypeGenericInst = 0x15;
    private const byte ElementTypeMVar = 0x1E;

    public static readonly Version MscorlibVersion = new(1, 17, 11, 0);

    /// <summary>What firmware/compile-check may reference: nanoFramework's mscorlib 1.17.11 alone.</summary>
    public static IReadOnlyDictionary<string, Version> MscorlibOnly { get; } = new Dictionary<string, Version> { ["mscorlib"] = MscorlibVersion };

    /// <summary>Generic type or method definitions, generic method instantiations, generic type instantiations.</summary>
    public static List<string> FindGenerics(MetadataReader md)
    {
        var violations = new List<string>();
        int genericParams = md.GetTableRowCount(TableIndex.GenericParam);
        if (genericParams > 0) violations.Add($"{genericParams} generic parameter(s) declared");
        int methodSpecs = md.GetTableRowCount(TableIndex.MethodSpec);
        if (methodSpecs > 0) violations.Add($"{methodSpecs} generic method instantiation(s)");
        int typeSpecs = md.GetTableRowCount(TableIndex.TypeSpec);
        for (int row = 1; row <= typeSpecs; row++)
        {
            TypeSpecification spec = md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row));
            byte[] signature = md.GetBlobBytes(spec.Signature);
            // Arrays such as string[] are TypeSpecs too and fine; generic instances and type variables are not.
            if (signature.Length > 0 && signature[0] == ElementTypeGenericInst)
                violations.Add($"TypeSpec {row} is a generic instantiation");
            else if (Array.IndexOf(signature, ElementTypeVar) >= 0 || Array.IndexOf(signature, ElementTypeMVar) >= 0)
                violations.Add($"TypeSpec {row} uses a generic type variable");
        }
        return violations;
    }

    /// <summary>Assembly references that are not in <paramref name="allowed"/> with exactly that version.</summary>
    public static List<string> FindForeignReferences(MetadataReader md, IReadOnlyDictionary<string, Version> allowed)
    {
        var violations = new List<string>();
        foreach (AssemblyReferenceHandle handle in md.AssemblyReferences)
        {
            AssemblyReference reference = md.GetAssemblyReference(handle);
            string name = md.GetString(reference.Name);
            if (!allowed.TryGetValue(name, out Version? version))
                violations.Add($"references assembly {name} {reference.Version}, which the device does not have");
            else if (reference.Version != version)
                violations.Add($"references assembly {name} {reference.Version}, the device has {version}");
        }
        return violations;
    }

    public static List<string> FindViolations(string assemblyPath, IReadOnlyDictionary<string, Version> allowed) =>
        Read(assemblyPath, md => FindForeignReferences(md, allowed).Concat(FindGenerics(md)).ToList());

    public static T Read<T>(string assemblyPath, Func<MetadataReader, T> read)
    {
        using FileStream stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        return read(pe.GetMetadataReader());
    }

    public static T Read<T>(byte[] image, Func<MetadataReader, T> read)
    {
        using var pe = new PEReader(ImmutableArray.Create(image));
        return read(pe.GetMetadataReader());
    }

    public static (string Name, Version Version) Identity(MetadataReader md)
    {
        AssemblyDefinition definition = md.GetAssemblyDefinition();
        return (md.GetString(definition.Name), definition.Version);
    }

    public static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kiosk.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Kiosk.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The output folder of a netstandard2.0 project under firmware/ (built as a ProjectReference of this project).</summary>
    public static string FirmwareProjectOutput(string projectFolder)
    {
        string configuration = typeof(NanoMetadataChecks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Configuration")?.Value ?? "Debug";
        return Path.Combine(RepoRoot(), "firmware", projectFolder, "bin", configuration, "netstandard2.0");
    }

    /// <summary>nanoFramework.CoreLibrary 1.17.11's mscorlib.dll from the package folder (the test project restores it).</summary>
    public static string NanoMscorlibPath()
    {
        string? path = typeof(NanoMetadataChecks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "NanoMscorlib")?.Value;
        Assert.True(path != null && File.Exists(path), "nanoFramework mscorlib not found: " + path);
        return path!;
    }
}

/// <summary>
/// C# compiled in-process with Roslyn against nanoFramework's mscorlib alone, with the settings of firmware/compile-check
/// (C# 9, library, no standard library): quick enough to show each rule on a small bad source.
/// </summary>
public static class NanoCompiler
{
    private static readonly Lazy<MetadataReference> Mscorlib = new(() => MetadataReference.CreateFromFile(NanoMetadataChecks.NanoMscorlibPath()));

    public static MetadataReference MscorlibReference => Mscorlib.Value;

    public static (byte[]? Image, ImmutableArray<Diagnostic> Errors) Compile(string assemblyName, string source, params MetadataReference[] references)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.CSharp9))],
            [MscorlibReference, .. references],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Disable));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        ImmutableArray<Diagnostic> errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return (result.Success ? output.ToArray() : null, errors);
    }
}

/// <summary>
/// firmware/compile-check proves the shared sources use only nano mscorlib's API; its output is read here for generics
/// and foreign references. The negative samples (GitHub issue #17) show that each rule catches what it is for: the
/// compiler for List&lt;T&gt;, LINQ and async (mscorlib lacks them), the metadata check for generic definitions and
/// methods (csc accepts them), the reference check for an assembly the device does not have.
/// </summary>
public class NanoFrameworkCompileCheckTests
{
    private static string CompileCheckOutput()
    {
        string path = Path.Combine(NanoMetadataChecks.FirmwareProjectOutput("compile-check"), "Kiosk.Firmware.CompileCheck.dll");
        Assert.True(File.Exists(path), "compile-check output missing (it is built as a ProjectReference of this project): " + path);
        return path;
    }

    [Fact]
    public void FirmwareCompiledAgainstNanoMscorlibUsesNoGenericsAndNoOtherAssembly()
    {
        List<string> violations = NanoMetadataChecks.FindViolations(CompileCheckOutput(), NanoMetadataChecks.MscorlibOnly);
        Assert.True(violations.Count == 0, string.Join("; ", violations));
    }

    [Fact]
    public void CompileCheckOutputReferencesNanoMscorlib()
    {
        var references = NanoMetadataChecks.Read(CompileCheckOutput(), md => md.AssemblyReferences
            .Select(h => md.GetAssemblyReference(h)).Select(r => (md.GetString(r.Name), r.Version)).ToList());
        Assert.Equal([("mscorlib", NanoMetadataChecks.MscorlibVersion)], references);
    }

    private const string CleanSource = """
        namespace Sample
        {
            public delegate void Handler(string topic);

            public class Clean
            {
                private readonly System.Collections.ArrayList _items = new System.Collections.ArrayList();
                public event Handler Received;
                public int Add(string item) { _items.Add(item); Received?.Invoke(item); return _items.Count; }
                public string[] Copy() { string[] copy = new string[_items.Count]; _items.CopyTo(copy, 0); return copy; }
            }
        }
        """;

    [Fact]
    public void CleanSampleCompilesAndPassesEveryRule()
    {
        (byte[]? image, var errors) = NanoCompiler.Compile("Clean", CleanSource);
        Assert.True(image != null, string.Join("; ", errors));
        Assert.Empty(NanoMetadataChecks.Read(image!, md => NanoMetadataChecks.FindForeignReferences(md, NanoMetadataChecks.MscorlibOnly)));
        Assert.Empty(NanoMetadataChecks.Read(image!, NanoMetadataChecks.FindGenerics));
    }

    public static TheoryData<string, string, string> MissingApis => new()
    {
        {
            "List<T>", "CS0234",
            "using System.Collections.Generic; public class C { public int N() { var l = new List<int>(); l.Add(1); return l.Count; } }"
        },
        {
            "LINQ", "CS0234",
            "using System.Linq; public class C { public int N(int[] a) { return a.Where(x => x > 1).Count(); } }"
        },
        {
            "async method", "CS0234",
            "using System.Threading.Tasks; public class C { public async Task<int> N() { await Task.Delay(1); return 1; } }"
        },
        {
            "async void", "CS0518",
            "public class C { public async void N() { } }"
        },
    };

    [Theory]
    [MemberData(nameof(MissingApis))]
    public void ApisMissingFromNanoMscorlibAreCompileErrors(string what, string errorId, string source)
    {
        (byte[]? image, var errors) = NanoCompiler.Compile("Bad", source);
        Assert.True(image == null, what + " compiled against nanoFramework's mscorlib");
        Assert.Contains(errors, e => e.Id == errorId);
    }

    [Fact]
    public void GenericClassCompilesButTheMetadataCheckCatchesIt()
    {
        (byte[]? image, var errors) = NanoCompiler.Compile("Bad", "public class Box<T> { public T Value; }");
        Assert.True(image != null, string.Join("; ", errors));
        List<string> generics = NanoMetadataChecks.Read(image!, NanoMetadataChecks.FindGenerics);
        Assert.Contains(generics, v => v.Contains("generic parameter"));
        Assert.Empty(NanoMetadataChecks.Read(image!, md => NanoMetadataChecks.FindForeignReferences(md, NanoMetadataChecks.MscorlibOnly)));
    }

    [Fact]
    public void GenericMethodCompilesButTheMetadataCheckCatchesIt()
    {
        (byte[]? image, var errors) = NanoCompiler.Compile("Bad",
            "public class C { public static T Same<T>(T value) { return value; } public int N() { return Same(1); } }");
        Assert.True(image != null, string.Join("; ", errors));
        List<string> generics = NanoMetadataChecks.Read(image!, NanoMetadataChecks.FindGenerics);
        Assert.Contains(generics, v => v.Contains("generic parameter"));
        Assert.Contains(generics, v => v.Contains("generic method instantiation"));
    }

    [Fact]
    public void MscorlibGenericDelegateCompilesButTheMetadataCheckCatchesIt()
    {
        (byte[]? image, var errors) = NanoCompiler.Compile("Bad",
            "public class C { public System.Action<int> Callback; public void N() { Callback = x => { }; } }");
        Assert.True(image != null, string.Join("; ", errors));
        Assert.Contains(NanoMetadataChecks.Read(image!, NanoMetadataChecks.FindGenerics), v => v.Contains("generic instantiation"));
    }

    [Fact]
    public void ReferenceToAnAssemblyTheDeviceLacksCompilesButTheReferenceCheckCatchesIt()
    {
        // A library built for nano's mscorlib but not part of the device image (a package nobody put in packages.config).
        (byte[]? foreign, var foreignErrors) = NanoCompiler.Compile("Contoso.Sensors",
            "[assembly: System.Reflection.AssemblyVersion(\"2.1.0.0\")] namespace Contoso.Sensors { public class Probe { public int Read() { return 1; } } }");
        Assert.True(foreign != null, string.Join("; ", foreignErrors));
        (byte[]? image, var errors) = NanoCompiler.Compile("Bad",
            "public class C { public int N() { return new Contoso.Sensors.Probe().Read(); } }", MetadataReference.CreateFromImage(foreign!));
        Assert.True(image != null, string.Join("; ", errors));

        List<string> foreignReferences = NanoMetadataChecks.Read(image!, md => NanoMetadataChecks.FindForeignReferences(md, NanoMetadataChecks.MscorlibOnly));
        Assert.Equal(["references assembly Contoso.Sensors 2.1.0.0, which the device does not have"], foreignReferences);
        Assert.Empty(NanoMetadataChecks.Read(image!, NanoMetadataChecks.FindGenerics));

        // The same assembly in another version than the device's is caught too.
        var allowedOtherVersion = new Dictionary<string, Version> { ["mscorlib"] = NanoMetadataChecks.MscorlibVersion, ["Contoso.Sensors"] = new(2, 2, 0, 0) };
        Assert.Equal(["references assembly Contoso.Sensors 2.1.0.0, the device has 2.2.0.0"],
            NanoMetadataChecks.Read(image!, md => NanoMetadataChecks.FindForeignReferences(md, allowedOtherVersion)));
    }
}
