; Inno Setup 6 script: a Windows installer (dist\lmdojo-<version>-setup.exe) over the PyInstaller
; folder dist\lmdojo. From the repository root, in PowerShell:
;
;   pip install -e ".[build]"
;   python resources\packaging\make_icons.py --if-missing
;   pyinstaller build.spec --noconfirm
;   $p = Start-Process dist\lmdojo\lmdojo.exe --smoke-test -Wait -PassThru; $p.ExitCode   # 0 = passed
;   $v = (Select-String -Path pyproject.toml -Pattern '^version = "(.*)"').Matches[0].Groups[1].Value
;   & "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" /DAppVersion=$v resources\packaging\windows\lmdojo.iss
;
; lmdojo.exe is a windowed program (build.spec: console=False), so --smoke-test prints to
; %LOCALAPPDATA%\LM Dojo\lmdojo.log, not to the console; its exit code is the result.
; Relative paths below are relative to this file's folder.

#ifndef AppVersion
  #error Pass the version from pyproject.toml: ISCC /DAppVersion=X.Y.Z lmdojo.iss
#endif
#define Root "..\..\.."

[Setup]
; AppId identifies the app across versions (upgrades, uninstall): never change it.
AppId={{24DD1A6C-F2BB-43C1-9BD2-B4CCF4EB3F90}
AppName=LM Dojo
AppVersion={#AppVersion}
AppVerName=LM Dojo {#AppVersion}
AppPublisher=LM Dojo
DefaultDirName={autopf}\LM Dojo
DefaultGroupName=LM Dojo
DisableProgramGroupPage=yes
; Installs for all users (admin) or, if the user picks it, just for them without admin rights.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
; PyTorch's Windows wheels are 64-bit only.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#Root}\resources\icons\lmdojo.ico
UninstallDisplayIcon={app}\lmdojo.exe
OutputDir={#Root}\dist
OutputBaseFilename=lmdojo-{#AppVersion}-setup
; ~700 MB of mostly PyTorch libraries: solid LZMA2 packs them far better than per-file compression.
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Inno Setup ships no Traditional Chinese messages; add the unofficial ChineseTraditional.isl
; (jrsoftware.org/files/istrans/) to compiler:Languages\ and uncomment:
; Name: "chinesetraditional"; MessagesFile: "compiler:Languages\ChineseTraditional.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\lmdojo\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; an upgrade replaces the bundle wholesale: files a newer build no longer has must not linger
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\LM Dojo"; Filename: "{app}\lmdojo.exe"
Name: "{autodesktop}\LM Dojo"; Filename: "{app}\lmdojo.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\lmdojo.exe"; Description: "{cm:LaunchProgram,LM Dojo}"; Flags: nowait postinstall skipifsilent
