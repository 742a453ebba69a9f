@echo off
rem dcs
reg add "HKU\S-1-5-18\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections" /v "DefaultConnectionSettings" /t REG_BINARY /d 460000000500000003000000040000007000 /f
if errorlevel 1 exit /b 1
reg add "HKLM\SOFTWARE\x" /v "PerUser" /t REG_DWORD /d 0 /f
reg add "HKU\k\100%" /ve /t REG_EXPAND_SZ /d "C:\p 50%\\" /f
