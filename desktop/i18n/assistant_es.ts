<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="es_ES">
<context>
    <name>AssistantPanel</name>
    <message>
        <location filename="../panel.py" line="111" />
        <location filename="../panel.py" line="279" />
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../panel.py" line="252" />
        <source>Ask something, e.g. “what are your opening hours?”</source>
        <translation>Pregunta algo, p. ej. «¿a qué hora abrís?»</translation>
    </message>
    <message>
        <location filename="../panel.py" line="253" />
        <source>Request</source>
        <translation>Petición</translation>
    </message>
    <message>
        <location filename="../panel.py" line="254" />
        <source>A&amp;sk</source>
        <translation>&amp;Preguntar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="255" />
        <source>Ask the assistant</source>
        <translation>Preguntar al asistente</translation>
    </message>
    <message>
        <location filename="../panel.py" line="258" />
        <source>Not what I meant</source>
        <translation>No era eso</translation>
    </message>
    <message>
        <location filename="../panel.py" line="259" />
        <source>Correct the intent</source>
        <translation>Corregir la intención</translation>
    </message>
    <message>
        <location filename="../panel.py" line="262" />
        <source>None of these</source>
        <translation>Ninguna de estas</translation>
    </message>
    <message>
        <location filename="../panel.py" line="263" />
        <source>None of these intents</source>
        <translation>Ninguna de estas intenciones</translation>
    </message>
    <message>
        <location filename="../panel.py" line="264" />
        <source>Edit profile…</source>
        <translation>Editar perfil…</translation>
    </message>
    <message>
        <location filename="../panel.py" line="266" />
        <source>History</source>
        <translation>Historial</translation>
    </message>
    <message>
        <location filename="../panel.py" line="281" />
        <source>Ready · {device}</source>
        <translation>Listo · {device}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="280" />
        <source>Loading model… your request will run as soon as it is ready</source>
        <translation>Cargando modelo… tu petición se atenderá en cuanto esté listo</translation>
    </message>
    <message>
        <location filename="../panel.py" line="256" />
        <source>Enter ask · ↑/↓ earlier requests · Esc clear · Ctrl+, settings · Ctrl+Q quit</source>
        <translation>Intro pregunta · ↑/↓ peticiones anteriores · Esc borra · Ctrl+, ajustes · Ctrl+Q salir</translation>
    </message>
    <message>
        <location filename="../panel.py" line="257" />
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <location filename="../panel.py" line="260" />
        <source>Undo</source>
        <translation>Deshacer</translation>
    </message>
    <message>
        <location filename="../panel.py" line="265" />
        <source>Earlier requests (Enter or double-click asks again)</source>
        <translation>Peticiones anteriores (Intro o doble clic la repite)</translation>
    </message>
    <message>
        <location filename="../panel.py" line="282" />
        <source>Copied to the clipboard</source>
        <translation>Copiado al portapapeles</translation>
    </message>
    <message>
        <location filename="../panel.py" line="329" />
        <source>Sorry, I did not understand. Could you rephrase it?</source>
        <translation>Perdona, no te he entendido. ¿Puedes decirlo de otra forma?</translation>
    </message>
    <message>
        <location filename="../panel.py" line="353" />
        <source>Got it, I'll remember that “{text}” means {intent}.</source>
        <translation>Entendido: recordaré que «{text}» es {intent}.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="355" />
        <source>Got it (history is off, so nothing is remembered).</source>
        <translation>Entendido (el historial está desactivado, así que no recuerdo nada).</translation>
    </message>
    <message>
        <location filename="../panel.py" line="365" />
        <source>Undone: I forgot that.</source>
        <translation>Deshecho: lo he olvidado.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="419" />
        <source>sure</source>
        <translation>seguro</translation>
    </message>
    <message>
        <location filename="../panel.py" line="419" />
        <source>probably</source>
        <translation>probablemente</translation>
    </message>
    <message>
        <location filename="../panel.py" line="419" />
        <source>not sure</source>
        <translation>no estoy seguro</translation>
    </message>
    <message>
        <location filename="../panel.py" line="420" />
        <source>learned from you on {date}</source>
        <translation>aprendido de ti el {date}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="509" />
        <source>no action</source>
        <translation>sin acción</translation>
    </message>
    <message>
        <location filename="../panel.py" line="261" />
        <source>I'm not sure what you mean. Did you mean…?</source>
        <translation>No estoy seguro de qué quieres decir. ¿Quisiste decir…?</translation>
    </message>
    <message>
        <location filename="../panel.py" line="442" />
        <source>Alternatives: {alternatives}</source>
        <translation>Alternativas: {alternatives}</translation>
    </message>
    <message>
        <location filename="../panel.py" line="443" />
        <source>Answered in {ms:.0f} ms</source>
        <translation>Respondido en {ms:.0f} ms</translation>
    </message>
    <message>
        <location filename="../panel.py" line="468" />
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="469" />
        <source>Call</source>
        <translation>Llamar</translation>
    </message>
    <message>
        <location filename="../panel.py" line="469" />
        <source>Write</source>
        <translation>Escribir</translation>
    </message>
    <message>
        <location filename="../panel.py" line="469" />
        <source>Map</source>
        <translation>Mapa</translation>
    </message>
    <message>
        <location filename="../panel.py" line="469" />
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <location filename="../panel.py" line="499" />
        <source>What can I do for you? Click an example or type your own request.</source>
        <translation>¿En qué puedo ayudarte? Pulsa un ejemplo o escribe tu petición.</translation>
    </message>
    <message>
        <location filename="../panel.py" line="281" />
        <source>No model loaded</source>
        <translation>No hay ningún modelo cargado</translation>
    </message>
    <message>
        <location filename="../panel.py" line="468" />
        <source>Open now</source>
        <translation>Abierto ahora</translation>
    </message>
    <message>
        <location filename="../panel.py" line="468" />
        <source>Closed now</source>
        <translation>Cerrado ahora</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../dialogs.py" line="33" />
        <source>The model could not be loaded</source>
        <translation>No se pudo cargar el modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="35" />
        <source>Device not available</source>
        <translation>Dispositivo no disponible</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="37" />
        <source>The engine stopped</source>
        <translation>El motor se ha detenido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="39" />
        <source>Invalid setting</source>
        <translation>Ajuste no válido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="41" />
        <source>Local data</source>
        <translation>Datos locales</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="42" />
        <source>Something went wrong</source>
        <translation>Algo ha fallado</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="49" />
        <source>The model bundle could not be used. The model in use (if any) keeps answering; choose another bundle in Settings.</source>
        <translation>No se pudo usar el paquete del modelo. El modelo en uso (si lo hay) sigue respondiendo; elige otro paquete en Ajustes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="52" />
        <source>That device is not available here; the CPU is used instead.</source>
        <translation>Ese dispositivo no está disponible aquí; se usa la CPU.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="54" />
        <source>The engine stopped or did not answer in time. Ask again; if it happens again, restart the assistant.</source>
        <translation>El motor se detuvo o no respondió a tiempo. Vuelve a preguntar; si se repite, reinicia el asistente.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="57" />
        <source>A setting has a value that cannot be used.</source>
        <translation>Un ajuste tiene un valor que no se puede usar.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="59" />
        <source>Your local data could not be read or saved. Answers still work; check the free space and the data folder's permissions.</source>
        <translation>No se pudieron leer o guardar tus datos locales. Las respuestas siguen funcionando; comprueba el espacio libre y los permisos de la carpeta de datos.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="61" />
        <source>The assistant keeps running; the details say what happened.</source>
        <translation>El asistente sigue funcionando; los detalles explican qué pasó.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../window.py" line="114" />
        <location filename="../window.py" line="116" />
        <source>Offline assistant</source>
        <translation>Asistente sin conexión</translation>
    </message>
    <message>
        <location filename="../window.py" line="117" />
        <source>Show or hide the window</source>
        <translation>Mostrar u ocultar la ventana</translation>
    </message>
    <message>
        <location filename="../window.py" line="118" />
        <source>&amp;Assistant</source>
        <translation>&amp;Asistente</translation>
    </message>
    <message>
        <location filename="../window.py" line="119" />
        <source>&amp;Settings…</source>
        <translation>&amp;Ajustes…</translation>
    </message>
    <message>
        <location filename="../window.py" line="120" />
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../window.py" line="201" />
        <source>Loading model…</source>
        <translation>Cargando modelo…</translation>
    </message>
    <message>
        <location filename="../window.py" line="219" />
        <source>A new model was found in the model folder; checking it…</source>
        <translation>Hay un modelo nuevo en la carpeta del modelo; comprobándolo…</translation>
    </message>
    <message>
        <location filename="../window.py" line="246" />
        <source>show my profile</source>
        <translation>muéstrame mi perfil</translation>
    </message>
</context>
<context>
    <name>ProfileDialog</name>
    <message>
        <location filename="../dialogs.py" line="232" />
        <source>The email should look like name@example.org.</source>
        <translation>El correo debe tener la forma nombre@ejemplo.org.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="233" />
        <source>The phone number should have at least 7 digits.</source>
        <translation>El teléfono debe tener al menos 7 cifras.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="209" />
        <source>Edit profile</source>
        <translation>Editar perfil</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../dialogs.py" line="81" />
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="87" />
        <source>Clarification threshold</source>
        <translation>Umbral de aclaración</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="92" />
        <source>Automatic</source>
        <translation>Automático</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="92" />
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="97" />
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="101" />
        <source>Like the system</source>
        <translation>Como el sistema</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="101" />
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="102" />
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="105" />
        <source>Keep a history of requests</source>
        <translation>Guardar un historial de peticiones</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="107" />
        <source>Clear history</source>
        <translation>Borrar historial</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="109" />
        <source>Fetch news feeds over the network</source>
        <translation>Descargar fuentes de noticias por la red</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="111" />
        <source>Serve the local API on 127.0.0.1 (for other programs)</source>
        <translation>Servir la API local en 127.0.0.1 (para otros programas)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="115" />
        <source>Local API: not part of this build (run from a source install to use it)</source>
        <translation>API local: no incluida en esta versión (úsala desde una instalación del código fuente)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="119" />
        <location filename="../dialogs.py" line="156" />
        <source>What I have learned</source>
        <translation>Lo que he aprendido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="124" />
        <source>“{text}” → {intent} ({date})</source>
        <translation>«{text}» → {intent} ({date})</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="128" />
        <source>Nothing yet: choices and corrections you make are learned here.</source>
        <translation>Nada todavía: aquí aparecen las elecciones y correcciones que me enseñes.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="131" />
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="133" />
        <source>Clear all</source>
        <translation>Borrar todo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="137" />
        <location filename="../dialogs.py" line="195" />
        <source>Bundled model</source>
        <translation>Modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="138" />
        <source>Load another model bundle…</source>
        <translation>Cargar otro paquete de modelo…</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="140" />
        <source>Use the bundled model</source>
        <translation>Usar el modelo incluido</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="146" />
        <source>Ask to clarify below</source>
        <translation>Pedir aclaración por debajo de</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="147" />
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="148" />
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="149" />
        <source>Appearance</source>
        <translation>Apariencia</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="164" />
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="188" />
        <source>Choose a model bundle folder</source>
        <translation>Elige la carpeta de un paquete de modelo</translation>
    </message>
</context>
</TS>