<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="es_ES">
<context>
    <name>AssistantPanel</name>
    <message>
        <location filename="../panel.py" line="88" />
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../panel.py" line="183" />
        <source>Ask something, e.g. “what are your opening hours?”</source>
        <translation>Pregunta algo, p. ej. «¿a qué hora abrís?»</translation>
    </message>
    <message>
        <location filename="../panel.py" line="184" />
        <source>Request</source>
        <translation>Petición</translation>
    </message>
    <message>
        <location filename="../panel.py" line="185" />
        <source>A&amp;sk</source>
        <translation>&amp;Preguntar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="186" />
        <source>Ask the assistant</source>
        <translation>Preguntar al asistente</translation>
    </message>
    <message>
        <location filename="../panel.py" line="187" />
        <source>Confidence</source>
        <translation>Confianza</translation>
    </message>
    <message>
        <location filename="../panel.py" line="188" />
        <source>Not what I meant</source>
        <translation>No era eso</translation>
    </message>
    <message>
        <location filename="../panel.py" line="189" />
        <source>Correct the intent</source>
        <translation>Corregir la intención</translation>
    </message>
    <message>
        <location filename="../panel.py" line="190" />
        <source>Did you mean…?</source>
        <translation>¿Quisiste decir…?</translation>
    </message>
    <message>
        <location filename="../panel.py" line="191" />
        <source>None of these</source>
        <translation>Ninguna de estas</translation>
    </message>
    <message>
        <location filename="../panel.py" line="192" />
        <source>None of these intents</source>
        <translation>Ninguna de estas intenciones</translation>
    </message>
    <message>
        <location filename="../panel.py" line="193" />
        <source>Edit profile…</source>
        <translation>Editar perfil…</translation>
    </message>
    <message>
        <location filename="../panel.py" line="194" />
        <source>History (Enter or double-click runs again)</source>
        <translation>Historial (Intro o doble clic para repetir)</translation>
    </message>
    <message>
        <location filename="../panel.py" line="195" />
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <location filename="../panel.py" line="207" />
        <source>Ready · {device}</source>
        <translation>Listo · {device}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="225" />
        <source>Loading model… your request will run as soon as it is ready</source>
        <translation>Cargando modelo… tu petición se atenderá en cuanto esté listo</translation>
    </message>
    <message>
        <location filename="../panel.py" line="240" />
        <source>Sorry, I did not understand. Could you rephrase it?</source>
        <translation>Perdona, no te he entendido. ¿Puedes decirlo de otra forma?</translation>
    </message>
    <message>
        <location filename="../panel.py" line="264" />
        <source>No model loaded</source>
        <translation>No hay ningún modelo cargado</translation>
    </message>
    <message>
        <location filename="../panel.py" line="290" />
        <source>Out of scope</source>
        <translation>Fuera de alcance</translation>
    </message>
    <message>
        <location filename="../panel.py" line="294" />
        <source>{ms:.0f} ms</source>
        <translation>{ms:.0f} ms</translation>
    </message>
    <message>
        <location filename="../panel.py" line="296" />
        <source>Alternatives: </source>
        <translation>Alternativas: </translation>
    </message>
    <message>
        <location filename="../panel.py" line="306" />
        <source>I am not sure what you mean.</source>
        <translation>No estoy seguro de lo que quieres decir.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="307" />
        <source>I cannot help with that. Did you mean one of these?</source>
        <translation>No puedo ayudarte con eso. ¿Quisiste decir una de estas?</translation>
    </message>
    <message>
        <location filename="../panel.py" line="324" />
        <source>Open now</source>
        <translation>Abierto ahora</translation>
    </message>
    <message>
        <location filename="../panel.py" line="324" />
        <source>Closed now</source>
        <translation>Cerrado ahora</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../dialogs.py" line="29" />
        <source>The model could not be loaded</source>
        <translation>No se pudo cargar el modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="31" />
        <source>Device not available</source>
        <translation>Dispositivo no disponible</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="33" />
        <source>The engine stopped</source>
        <translation>El motor se ha detenido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="35" />
        <source>Invalid setting</source>
        <translation>Ajuste no válido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="37" />
        <source>Local data</source>
        <translation>Datos locales</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="36" />
        <source>Something went wrong</source>
        <translation>Algo ha fallado</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../window.py" line="57" />
        <source>Offline assistant</source>
        <translation>Asistente sin conexión</translation>
    </message>
    <message>
        <location filename="../window.py" line="58" />
        <source>&amp;Assistant</source>
        <translation>&amp;Asistente</translation>
    </message>
    <message>
        <location filename="../window.py" line="59" />
        <source>&amp;Settings…</source>
        <translation>&amp;Ajustes…</translation>
    </message>
    <message>
        <location filename="../window.py" line="60" />
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../window.py" line="104" />
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../window.py" line="116" />
        <source>show my profile</source>
        <translation>muéstrame mi perfil</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../dialogs.py" line="150" />
        <source>The email should look like name@example.org.</source>
        <translation>El correo debe tener la forma nombre@ejemplo.org.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="151" />
        <source>The phone number should have at least 7 digits.</source>
        <translation>El teléfono debe tener al menos 7 cifras.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="126" />
        <source>Edit profile</source>
        <translation>Editar perfil</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../dialogs.py" line="47" />
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="53" />
        <source>Clarification threshold</source>
        <translation>Umbral de aclaración</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="58" />
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="58" />
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="63" />
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="66" />
        <source>Keep a history of requests</source>
        <translation>Guardar un historial de peticiones</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="68" />
        <source>Clear history</source>
        <translation>Borrar historial</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="70" />
        <source>Fetch news feeds over the network</source>
        <translation>Descargar fuentes de noticias por la red</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="72" />
        <source>Serve the local API on 127.0.0.1 (for other programs)</source>
        <translation>Servir la API local en 127.0.0.1 (para otros programas)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="74" />
        <location filename="../dialogs.py" line="113" />
        <source>Bundled model</source>
        <translation>Modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="75" />
        <source>Load another model bundle…</source>
        <translation>Cargar otro paquete de modelo…</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="77" />
        <source>Use the bundled model</source>
        <translation>Usar el modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="83" />
        <source>Ask to clarify below</source>
        <translation>Pedir aclaración por debajo de</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="84" />
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="85" />
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="92" />
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="106" />
        <source>Choose a model bundle folder</source>
        <translation>Elige la carpeta de un paquete de modelo</translation>
    </message>
</context>
</TS>