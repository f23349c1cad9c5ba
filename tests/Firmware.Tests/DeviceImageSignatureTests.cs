using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Text.RegularExpressions;

namespace Firmware.Tests;

/// <summary>
/// The reference assemblies of firmware/reference-assemblies must say what the real packages say: every public or
/// protected type and member they declare is rendered from their metadata in the notation of
/// firmware/reference-assemblies/nano-packages-api.txt (the published signatures) and must be found there: same
/// namespace, type kind, modifiers and bases; same member kind, modifiers, return type, name, parameter types, names and
/// ref/out; same enum values. Not compared: parameter default values, and which of two same-named nested delegate types
/// an event uses. A stub may leave out what the firmware does not need, never invent or change a member.
/// </summary>
public class DeviceImageSignatureTests
{
    private sealed class ApiType
    {
        public string Header = "";
        public bool NoPublicConstructor;
        public readonly HashSet<string> Members = new(StringComparer.Ordinal);
    }

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["Object"] = "object", ["String"] = "string", ["Boolean"] = "bool", ["Byte"] = "byte", ["SByte"] = "sbyte",
        ["Char"] = "char", ["Int16"] = "short", ["UInt16"] = "ushort", ["Int32"] = "int", ["UInt32"] = "uint",
        ["Int64"] = "long", ["UInt64"] = "ulong", ["Single"] = "float", ["Double"] = "double", ["Void"] = "void",
    };

    private static readonly string[] ModifierOrder = ["protected", "static", "abstract", "virtual", "override", "sealed"];

    private static readonly Dictionary<string, string> Operators = new() { ["=="] = "op_Equality", ["!="] = "op_Inequality" };

    private static readonly Lazy<Dictionary<string, ApiType>> Api = new(() =>
        ParseApiText(Path.Combine(NanoMetadataChecks.RepoRoot(), "firmware", "reference-assemblies", "nano-packages-api.txt")));

    // ---- the API text ----

    private static Dictionary<string, ApiType> ParseApiText(string path)
    {
        var types = new Dictionary<string, ApiType>(StringComparer.Ordinal);
        string? ns = null;
        string? outer = null, nested = null;
        foreach (string raw in File.ReadAllLines(path))
        {
            if (raw.StartsWith("#"))
            {
                ns = null; outer = null; nested = null;
                continue;
            }
            if (raw.StartsWith("namespace "))
            {
                ns = raw["namespace ".Length..].Trim();
                outer = null; nested = null;
                continue;
            }
            if (ns == null || raw.Trim().Length == 0) continue;
            int indent = raw.Length - raw.TrimStart(' ').Length;
            string line = raw.Trim();
            if (indent == 0)
            {
                nested = null;
                outer = null;
                (string? kind, string? name, string header) = TypeDeclaration(line);
                if (kind == null) continue;
                outer = ns + "." + name;
                ApiType type = Get(types, outer);
                type.Header = header;
                if (kind == "delegate") type.Members.Add(NormalizeMember(line, name!, isInterface: false, isDelegate: true));
                continue;
            }
            if (outer == null) continue;
            if (indent == 4)
            {
                nested = null;
                (string? kind, string? name, string header) = TypeDeclaration(line);
                if (kind == "delegate")
                    Get(types, outer).Members.Add(NormalizeMember(line, name!, isInterface: false, isDelegate: true));
                else if (kind != null)
                {
                    nested = outer + "." + name;
                    Get(types, nested).Header = header;
                }
                else if (line.StartsWith("// no public or protected constructor"))
                    Get(types, outer).NoPublicConstructor = true;
                else
                    AddMember(types, outer, line);
            }
            else if (indent == 8 && nested != null)
                AddMember(types, nested, line);
        }
        return types;
    }

    private static ApiType Get(Dictionary<string, ApiType> types, string key)
    {
        if (!types.TryGetValue(key, out ApiType? type)) types[key] = type = new ApiType();
        return type;
    }

    private static void AddMember(Dictionary<string, ApiType> types, string typeKey, string line)
    {
        string simpleName = typeKey[(typeKey.LastIndexOf('.') + 1)..];
        bool isInterface = types[typeKey].Header.Contains("interface");
        types[typeKey].Members.Add(NormalizeMember(line, simpleName, isInterface, isDelegate: false));
    }

    private static string StripAttributes(string line) => Regex.Replace(line, @"^(\[[^\]]*\]\s*)+", "");

    /// <summary>(kind, name, canonical header) of a type declaration line, or (null, null, "") for anything else.</summary>
    private static (string? Kind, string? Name, string Header) TypeDeclaration(string line)
    {
        string text = StripAttributes(line);
        Match m = Regex.Match(text, @"^public\s+((?:(?:static|abstract|sealed|readonly|partial)\s+)*)(class|struct|interface|enum)\s+(\w+)\s*(?::\s*(.+))?$");
        if (m.Success)
        {
            var modifiers = m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w != "readonly" && w != "partial");
            var bases = m.Groups[4].Success ? m.Groups[4].Value.Split(',').Select(b => NormalizeType(b.Trim())) : [];
            return (m.Groups[2].Value, m.Groups[3].Value, Header(modifiers, m.Groups[2].Value, bases));
        }
        Match d = Regex.Match(text, @"^public\s+delegate\s+\S+\s+(\w+)\s*\(");
        if (d.Success) return ("delegate", d.Groups[1].Value, "delegate");
        return (null, null, "");
    }

    private static string Header(IEnumerable<string> modifiers, string kind, IEnumerable<string> bases) =>
        string.Join(" ", ModifierOrder.Where(modifiers.Contains)) + "|" + kind + "|" + string.Join(",", bases.Order(StringComparer.Ordinal));

    private static string NormalizeType(string type)
    {
        type = Regex.Replace(type.Trim(), @"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", "$1");
        return Regex.Replace(type, @"\b\w+\b", w => Aliases.TryGetValue(w.Value, out string? alias) ? alias : w.Value);
    }

    private static string NormalizeMember(string line, string typeName, bool isInterface, bool isDelegate)
    {
        string text = StripAttributes(line);
        int comment = text.IndexOf("//", StringComparison.Ordinal);
        if (comment >= 0) text = text[..comment];
        text = text.Trim().TrimEnd(';', ',').Trim();

        // Enum member: "Name = value".
        Match enumMember = Regex.Match(text, @"^(\w+)\s*=\s*(-?(?:0x[0-9A-Fa-f]+|\d+))$");
        if (enumMember.Success) return enumMember.Groups[1].Value + " = " + EnumValue(enumMember.Groups[2].Value);

        var words = new List<string>();
        string rest = text;
        while (true)
        {
            Match word = Regex.Match(rest, @"^(public|protected|static|abstract|virtual|override|sealed|readonly|const|unsafe|extern|new|delegate|event)\s+");
            if (!word.Success) break;
            words.Add(word.Groups[1].Value);
            rest = rest[word.Length..];
        }
        var modifiers = new HashSet<string>(words.Where(w => w is "protected" or "static" or "abstract" or "virtual" or "override" or "sealed"));
        if (words.Contains("const")) modifiers.Add("static");
        if (isInterface) modifiers.Clear();
        string mods = string.Join(" ", ModifierOrder.Where(modifiers.Contains));

        if (words.Contains("delegate")) return "delegate " + Callable(rest);
        if (words.Contains("event"))
        {
            Match ev = Regex.Match(rest, @"^(.+)\s+(\w+)$");
            return Join(mods, "event " + NormalizeType(ev.Groups[1].Value) + " " + ev.Groups[2].Value);
        }
        Match property = Regex.Match(rest, @"^(.+?)\s+(this\[.*\]|\w+)\s*\{(.*)\}$");
        if (property.Success)
        {
            string accessors = string.Join(" ", Regex.Matches(property.Groups[3].Value, @"\b(get|set)\b").Select(a => a.Value + ";").Order(StringComparer.Ordinal));
            string name = property.Groups[2].Value;
            if (name.StartsWith("this[")) name = "this[" + Parameters(name[5..^1]) + "]";
            return Join(mods, NormalizeType(property.Groups[1].Value) + " " + name + " { " + accessors + " }");
        }
        Match op = Regex.Match(rest, @"^(\S+)\s+operator\s*(==|!=)\s*(\(.*\))$");
        if (op.Success) return Join(mods, NormalizeType(op.Groups[1].Value) + " " + Operators[op.Groups[2].Value] + Callable("x" + op.Groups[3].Value)[1..]);
        Match constructor = Regex.Match(rest, @"^(\w+)\s*\((.*)\)$");
        if (constructor.Success && constructor.Groups[1].Value == typeName) return Join(mods, ".ctor(" + Parameters(constructor.Groups[2].Value) + ")");
        if (rest.Contains('(')) return Join(mods, Callable(rest));
        // Field: "Type Name" or "Type Name = value".
        int equals = rest.IndexOf('=');
        if (equals >= 0) rest = rest[..equals].Trim();
        Match field = Regex.Match(rest, @"^(.+)\s+(\w+)$");
        return Join(mods, NormalizeType(field.Groups[1].Value) + " " + field.Groups[2].Value);
    }

    private static string Join(string modifiers, string rest) => modifiers.Length == 0 ? rest : modifiers + " " + rest;

    /// <summary>"Ret Name(params)" with the types normalized and default values dropped.</summary>
    private static string Callable(string text)
    {
        Match m = Regex.Match(text, @"^(.*?)\s*(\w+)\s*\((.*)\)$");
        string ret = m.Groups[1].Value.Trim();
        return (ret.Length == 0 ? "" : NormalizeType(ret) + " ") + m.Groups[2].Value + "(" + Parameters(m.Groups[3].Value) + ")";
    }

    private static string Parameters(string list)
    {
        if (list.Trim().Length == 0) return "";
        var parameters = new List<string>();
        foreach (string part in SplitTopLevel(list))
        {
            string p = part.Trim();
            int equals = p.IndexOf('=');
            if (equals >= 0) p = p[..equals].Trim();
            string prefix = "";
            Match modifier = Regex.Match(p, @"^(this|out|ref|params)\s+");
            while (modifier.Success)
            {
                if (modifier.Groups[1].Value is "out" or "ref") prefix = modifier.Groups[1].Value + " ";
                p = p[modifier.Length..];
                modifier = Regex.Match(p, @"^(this|out|ref|params)\s+");
            }
            Match typed = Regex.Match(p, @"^(.+)\s+(\w+)$");
            parameters.Add(prefix + NormalizeType(typed.Groups[1].Value) + " " + typed.Groups[2].Value);
        }
        return string.Join(", ", parameters);
    }

    private static IEnumerable<string> SplitTopLevel(string list)
    {
        int depth = 0, start = 0;
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] is '(' or '[' or '<') depth++;
            else if (list[i] is ')' or ']' or '>') depth--;
            else if (list[i] == ',' && depth == 0)
            {
                yield return list[start..i];
                start = i + 1;
            }
        }
        yield return list[start..];
    }

    private static string EnumValue(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToUInt64(text[2..], 16).ToString() : long.Parse(text).ToString();

    // ---- the reference assemblies' metadata ----

    private sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Boolean => "bool", PrimitiveTypeCode.Byte => "byte", PrimitiveTypeCode.SByte => "sbyte",
            PrimitiveTypeCode.Char => "char", PrimitiveTypeCode.Int16 => "short", PrimitiveTypeCode.UInt16 => "ushort",
            PrimitiveTypeCode.Int32 => "int", PrimitiveTypeCode.UInt32 => "uint", PrimitiveTypeCode.Int64 => "long",
            PrimitiveTypeCode.UInt64 => "ulong", PrimitiveTypeCode.Single => "float", PrimitiveTypeCode.Double => "double",
            PrimitiveTypeCode.String => "string", PrimitiveTypeCode.Object => "object", PrimitiveTypeCode.Void => "void",
            _ => typeCode.ToString(),
        };
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? context, TypeSpecificationHandle handle, byte rawTypeKind) => "?spec";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => "&" + elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPinnedType(string elementType) => elementType;
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
        public string GetGenericMethodParameter(object? context, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? context, int index) => "!" + index;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
    }

    private static readonly TypeNames Names = new();

    private static bool Visible(MethodAttributes attributes)
    {
        MethodAttributes access = attributes & MethodAttributes.MemberAccessMask;
        return access is MethodAttributes.Public or MethodAttributes.Family or MethodAttributes.FamORAssem;
    }

    private static string MethodModifiers(MethodAttributes a, bool isInterface)
    {
        if (isInterface) return "";
        var mods = new HashSet<string>();
        if ((a & MethodAttributes.MemberAccessMask) is MethodAttributes.Family or MethodAttributes.FamORAssem) mods.Add("protected");
        if ((a & MethodAttributes.Static) != 0) mods.Add("static");
        if ((a & MethodAttributes.Abstract) != 0) mods.Add("abstract");
        else if ((a & MethodAttributes.Virtual) != 0 && (a & MethodAttributes.Final) == 0)
            mods.Add((a & MethodAttributes.NewSlot) != 0 ? "virtual" : "override");
        return string.Join(" ", ModifierOrder.Where(mods.Contains));
    }

    private static string RenderParameters(MetadataReader md, MethodDefinition method, ImmutableArray<string> types)
    {
        var names = new Dictionary<int, (string Name, ParameterAttributes Attributes)>();
        foreach (ParameterHandle h in method.GetParameters())
        {
            Parameter p = md.GetParameter(h);
            if (p.SequenceNumber > 0) names[p.SequenceNumber] = (md.GetString(p.Name), p.Attributes);
        }
        return string.Join(", ", types.Select((type, i) =>
        {
            (string name, ParameterAttributes attributes) = names.TryGetValue(i + 1, out var n) ? n : ("?", 0);
            if (!type.StartsWith('&')) return type + " " + name;
            bool isOut = (attributes & ParameterAttributes.Out) != 0 && (attributes & ParameterAttributes.In) == 0;
            return (isOut ? "out " : "ref ") + type[1..] + " " + name;
        }));
    }

    private static string ConstantText(MetadataReader md, ConstantHandle handle)
    {
        Constant constant = md.GetConstant(handle);
        BlobReader blob = md.GetBlobReader(constant.Value);
        return constant.TypeCode switch
        {
            ConstantTypeCode.SByte => blob.ReadSByte().ToString(), ConstantTypeCode.Byte => blob.ReadByte().ToString(),
            ConstantTypeCode.Int16 => blob.ReadInt16().ToString(), ConstantTypeCode.UInt16 => blob.ReadUInt16().ToString(),
            ConstantTypeCode.Int32 => blob.ReadInt32().ToString(), ConstantTypeCode.UInt32 => blob.ReadUInt32().ToString(),
            ConstantTypeCode.Int64 => blob.ReadInt64().ToString(), ConstantTypeCode.UInt64 => blob.ReadUInt64().ToString(),
            _ => "?",
        };
    }

    private static string TypeKey(MetadataReader md, TypeDefinition type)
    {
        string name = md.GetString(type.Name);
        if (type.GetDeclaringType().IsNil) return md.GetString(type.Namespace) + "." + name;
        return TypeKey(md, md.GetTypeDefinition(type.GetDeclaringType())) + "." + name;
    }

    private static string BaseName(MetadataReader md, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)handle).Name),
        HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)handle).Name),
        _ => "?",
    };

    private static bool IsPublic(TypeDefinition type)
    {
        TypeAttributes visibility = type.Attributes & TypeAttributes.VisibilityMask;
        return visibility is TypeAttributes.Public or TypeAttributes.NestedPublic;
    }

    private static string DelegateSignature(MetadataReader md, TypeDefinition type)
    {
        foreach (MethodDefinitionHandle h in type.GetMethods())
        {
            MethodDefinition invoke = md.GetMethodDefinition(h);
            if (md.GetString(invoke.Name) != "Invoke") continue;
            MethodSignature<string> signature = invoke.DecodeSignature(Names, null);
            return "delegate " + signature.ReturnType + " " + md.GetString(type.Name) + "(" + RenderParameters(md, invoke, signature.ParameterTypes) + ")";
        }
        return "delegate ?";
    }

    private static List<string> CompareWithApi(string assemblyPath, Dictionary<string, ApiType> api) => NanoMetadataChecks.Read(assemblyPath, md =>
    {
        var problems = new List<string>();
        foreach (TypeDefinitionHandle handle in md.TypeDefinitions)
        {
            TypeDefinition type = md.GetTypeDefinition(handle);
            if (!IsPublic(type) || md.GetString(type.Name) == "<Module>") continue;
            string key = TypeKey(md, type);
            string baseName = type.BaseType.IsNil ? "" : BaseName(md, type.BaseType);
            if (baseName == "MulticastDelegate")
            {
                string signature = DelegateSignature(md, type);
                // A nested delegate is a member of its declaring type in the API text, a top-level one a type of its own.
                string owner = type.GetDeclaringType().IsNil ? key : TypeKey(md, md.GetTypeDefinition(type.GetDeclaringType()));
                if (!api.TryGetValue(owner, out ApiType? delegateOwner) || !delegateOwner.Members.Contains(signature))
                    problems.Add($"{owner}: {signature} is not in the API text");
                continue;
            }
            if (!api.TryGetValue(key, out ApiType? apiType))
            {
                problems.Add($"type {key} is not in the API text");
                continue;
            }

            bool isInterface = (type.Attributes & TypeAttributes.Interface) != 0;
            bool isEnum = baseName == "Enum";
            string kind = isInterface ? "interface" : isEnum ? "enum" : baseName == "ValueType" ? "struct" : "class";
            var modifiers = new List<string>();
            bool isAbstract = (type.Attributes & TypeAttributes.Abstract) != 0, isSealed = (type.Attributes & TypeAttributes.Sealed) != 0;
            if (kind == "class" && isAbstract && isSealed) modifiers.Add("static");
            else if (kind == "class" && isAbstract) modifiers.Add("abstract");
            else if (kind == "class" && isSealed) modifiers.Add("sealed");
            var bases = new List<string>();
            if (kind == "class" && baseName != "Object") bases.Add(NormalizeType(baseName));
            var interfaces = type.GetInterfaceImplementations().Select(i => NormalizeType(BaseName(md, md.GetInterfaceImplementation(i).Interface))).ToList();
            string[] apiHeader = apiType.Header.Split('|');
            string[] apiBases = apiHeader.Length > 2 && apiHeader[2].Length > 0 ? apiHeader[2].Split(',') : [];
            if (isEnum)
            {
                // The API text gives an enum's underlying type only where the source does (": Int32", ": UInt64").
                FieldDefinition value = type.GetFields().Select(md.GetFieldDefinition).First(f => md.GetString(f.Name) == "value__");
                string underlying = value.DecodeSignature(Names, null);
                if (apiBases.Length > 0 && apiBases[0] != underlying) problems.Add($"{key}: enum of {underlying}, the API text says {apiBases[0]}");
                if (apiBases.Length == 0 && underlying != "int") problems.Add($"{key}: enum of {underlying}, the API text says int");
            }
            else
            {
                string header = Header(modifiers, kind, bases);
                string apiModifiersAndKind = apiHeader[0] + "|" + apiHeader[1];
                if (header.Split('|')[0] + "|" + kind != apiModifiersAndKind) problems.Add($"{key}: declared {header}, the API text says {apiType.Header}");
                foreach (string b in bases.Where(b => !apiBases.Contains(b))) problems.Add($"{key}: derives from {b}, the API text says {apiType.Header}");
                foreach (string b in apiBases.Where(b => !bases.Contains(b) && !interfaces.Contains(b))) problems.Add($"{key}: does not derive from {b}");
            }

            var members = new List<string>();
            foreach (FieldDefinitionHandle fh in type.GetFields())
            {
                FieldDefinition field = md.GetFieldDefinition(fh);
                FieldAttributes access = field.Attributes & FieldAttributes.FieldAccessMask;
                if (access is not (FieldAttributes.Public or FieldAttributes.Family or FieldAttributes.FamORAssem)) continue;
                if (isEnum)
                {
                    if ((field.Attributes & FieldAttributes.Literal) != 0) members.Add(md.GetString(field.Name) + " = " + ConstantText(md, field.GetDefaultValue()));
                    continue;
                }
                var mods = new List<string>();
                if (access != FieldAttributes.Public) mods.Add("protected");
                if ((field.Attributes & FieldAttributes.Static) != 0) mods.Add("static");
                members.Add(Join(string.Join(" ", mods), field.DecodeSignature(Names, null) + " " + md.GetString(field.Name)));
            }
            var accessors = new HashSet<MethodDefinitionHandle>();
            foreach (PropertyDefinitionHandle ph in type.GetProperties())
            {
                PropertyDefinition property = md.GetPropertyDefinition(ph);
                PropertyAccessors pa = property.GetAccessors();
                var parts = new List<string>();
                MethodDefinition? visible = null;
                foreach ((MethodDefinitionHandle h, string word) in new[] { (pa.Getter, "get;"), (pa.Setter, "set;") })
                {
                    if (h.IsNil) continue;
                    accessors.Add(h);
                    MethodDefinition m = md.GetMethodDefinition(h);
                    if (!Visible(m.Attributes)) continue;
                    parts.Add(word);
                    visible ??= m;
                }
                if (visible == null) continue;
                MethodSignature<string> signature = property.DecodeSignature(Names, null);
                string name = md.GetString(property.Name);
                if (signature.ParameterTypes.Length > 0)
                {
                    MethodDefinition getter = md.GetMethodDefinition(pa.Getter.IsNil ? pa.Setter : pa.Getter);
                    name = "this[" + RenderParameters(md, getter, signature.ParameterTypes) + "]";
                }
                members.Add(Join(MethodModifiers(visible.Value.Attributes, isInterface), signature.ReturnType + " " + name + " { " + string.Join(" ", parts) + " }"));
            }
            foreach (EventDefinitionHandle eh in type.GetEvents())
            {
                EventDefinition ev = md.GetEventDefinition(eh);
                EventAccessors ea = ev.GetAccessors();
                accessors.Add(ea.Adder);
                accessors.Add(ea.Remover);
                MethodDefinition adder = md.GetMethodDefinition(ea.Adder);
                if (!Visible(adder.Attributes)) continue;
                members.Add(Join(MethodModifiers(adder.Attributes, isInterface), "event " + NormalizeType(BaseName(md, ev.Type)) + " " + md.GetString(ev.Name)));
            }
            bool hasVisibleConstructor = false;
            foreach (MethodDefinitionHandle mh in type.GetMethods())
            {
                if (accessors.Contains(mh)) continue;
                MethodDefinition method = md.GetMethodDefinition(mh);
                if (!Visible(method.Attributes)) continue;
                string name = md.GetString(method.Name);
                MethodSignature<string> signature = method.DecodeSignature(Names, null);
                string parameters = RenderParameters(md, method, signature.ParameterTypes);
                if (name == ".ctor")
                {
                    hasVisibleConstructor = true;
                    string ctor = Join(MethodModifiers(method.Attributes, false), ".ctor(" + parameters + ")");
                    // A class that lists no constructor has the implicit public parameterless one.
                    bool implicitOne = parameters.Length == 0 && !apiType.NoPublicConstructor && !apiType.Members.Any(m => m.Contains(".ctor("));
                    if (!implicitOne) members.Add(ctor);
                    continue;
                }
                members.Add(Join(MethodModifiers(method.Attributes, isInterface), signature.ReturnType + " " + name + "(" + parameters + ")"));
            }
            if (apiType.NoPublicConstructor && hasVisibleConstructor) problems.Add($"{key}: has a public or protected constructor, the API text says none");
            foreach (string member in members.Where(m => !apiType.Members.Contains(m)))
                problems.Add($"{key}: {member} is not in the API text");
        }
        return problems;
    });

    public static TheoryData<string> ReferenceAssemblies()
    {
        var data = new TheoryData<string>();
        string folder = Path.Combine(NanoMetadataChecks.RepoRoot(), "firmware", "reference-assemblies");
        foreach (string dir in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (File.Exists(Path.Combine(dir, name + ".csproj"))) data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceAssemblies))]
    public void ReferenceAssemblyDeclaresOnlyThePublishedSignatures(string assembly)
    {
        Dictionary<string, ApiType> api = Api.Value;
        string dll = Path.Combine(NanoMetadataChecks.FirmwareProjectOutput("device-check"), assembly + ".dll");
        Assert.True(File.Exists(dll), "reference assembly missing from device-check's output: " + dll);
        List<string> problems = CompareWithApi(dll, api);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void TheComparisonNoticesAChangedSignature()
    {
        // A stub whose member differs from the API text in one parameter name, one in a type, one enum value and one
        // modifier: each is reported.
        Dictionary<string, ApiType> api = Api.Value;
        (byte[]? image, var errors) = NanoCompiler.Compile("nanoFramework.Runtime.Native", """
            namespace nanoFramework.Runtime.Native
            {
                public static class GC { public static uint Run(bool compact) { throw null; } public static void EnableGCMessages(int enable) { throw null; } }
                public enum RebootOption { NormalReboot = 0, EnterNanoBooter = 2 }
                public class Power { public virtual void Extra() { throw null; } }
            }
            """);
        Assert.True(image != null, string.Join("; ", errors));
        string path = Path.Combine(Path.GetTempPath(), "nano-signature-" + Guid.NewGuid().ToString("N") + ".dll");
        File.WriteAllBytes(path, image!);
        try
        {
            List<string> problems = CompareWithApi(path, api);
            Assert.Contains("nanoFramework.Runtime.Native.GC: static uint Run(bool compact) is not in the API text", problems);
            Assert.Contains("nanoFramework.Runtime.Native.GC: static void EnableGCMessages(int enable) is not in the API text", problems);
            Assert.Contains("nanoFramework.Runtime.Native.RebootOption: EnterNanoBooter = 2 is not in the API text", problems);
            Assert.Contains("nanoFramework.Runtime.Native.Power: virtual void Extra() is not in the API text", problems);
            Assert.Equal(4, problems.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
